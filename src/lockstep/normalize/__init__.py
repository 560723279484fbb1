"""Normalisers shared by readers and traces: URLs, text, times."""
