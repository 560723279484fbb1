"""Media evidence: PDQ perceptual hashes with a near-duplicate index, and AI-generated face checks.

Everything here needs the ``media`` extra (``pip install 'lockstep[media]'``); without it the functions raise
:class:`lockstep.errors.MissingExtraError` naming the extra, and the rest of Lockstep runs.
"""
