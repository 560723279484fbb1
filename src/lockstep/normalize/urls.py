"""URL canonicalisation for the co-link trace.

Two posts share a link when they point to the same resource, whatever tracking decorations were added.
Rules (after CooRnet's and the QUT toolkit's practice, with their pitfalls avoided):

* lower-case the scheme and host, drop a default port, drop the fragment;
* drop tracking parameters (``utm_*``, ``fbclid``, ``gclid`` ...) and keep every other parameter in order;
* drop a lone trailing ``/`` path, so ``https://a.org/`` and ``https://a.org`` match;
* keep shortener links (``t.co``, ``bit.ly`` ...) as they are: their targets are unknown offline;
* an empty or blank URL is *no* URL (the QUT toolkit stored empty strings, so every link-less post co-linked).

:func:`registered_domain` gives the domain a person would name (``bbc.co.uk`` for ``news.bbc.co.uk``) with a
small built-in list of multi-part public suffixes; it does not ship the full Public Suffix List, so rare
suffixes fall back to the last two labels.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
        "cmpid",
        "ncid",
        "ocid",
        "spm",
        "share_source",
        "si",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "vero_id",
        "wt.mc_id",
        "cid_source",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "oly_")

#: Second-level public suffixes common in social-media links (a subset of the Public Suffix List).
MULTI_PART_SUFFIXES = frozenset(
    {
        "co.uk",
        "org.uk",
        "ac.uk",
        "gov.uk",
        "ltd.uk",
        "me.uk",
        "net.uk",
        "nhs.uk",
        "police.uk",
        "com.au",
        "net.au",
        "org.au",
        "edu.au",
        "gov.au",
        "co.nz",
        "org.nz",
        "govt.nz",
        "co.jp",
        "ne.jp",
        "or.jp",
        "ac.jp",
        "go.jp",
        "co.kr",
        "or.kr",
        "com.cn",
        "net.cn",
        "org.cn",
        "gov.cn",
        "edu.cn",
        "com.hk",
        "org.hk",
        "gov.hk",
        "edu.hk",
        "com.tw",
        "org.tw",
        "gov.tw",
        "edu.tw",
        "com.sg",
        "gov.sg",
        "com.my",
        "com.br",
        "gov.br",
        "org.br",
        "com.ar",
        "com.mx",
        "gob.mx",
        "co.in",
        "gov.in",
        "org.in",
        "com.tr",
        "gov.tr",
        "com.ru",
        "org.ru",
        "com.ua",
        "org.ua",
        "gov.ua",
        "co.za",
        "gov.za",
        "org.za",
        "com.pk",
        "gov.pk",
        "com.ng",
        "gov.ng",
        "co.il",
        "gov.il",
        "com.eg",
        "com.sa",
        "gov.sa",
        "co.id",
        "go.id",
        "or.id",
        "com.ph",
        "gov.ph",
        "com.vn",
        "gov.vn",
        "co.th",
        "go.th",
        "com.pe",
        "com.co",
        "com.ve",
        "gob.ve",
        "com.es",
        "gouv.fr",
        "blogspot.com",
        "github.io",
        "appspot.com",
    }
)


def canonical_url(raw: str | None) -> str | None:
    """Canonical form of ``raw``, or ``None`` when it holds no URL.

    Examples:
        >>> canonical_url("HTTPS://Example.COM:443/a/b?utm_source=tw&id=7#top")
        'https://example.com/a/b?id=7'
        >>> canonical_url("https://bit.ly/3xYz")
        'https://bit.ly/3xYz'
        >>> canonical_url("   ") is None
        True
    """
    if raw is None:
        return None
    url = raw.strip()
    if not url:
        return None
    if "://" not in url and not url.startswith("//"):
        first = url.split("/", 1)[0]
        if "." in first and " " not in first:
            url = "http://" + url
        else:
            return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = host
    if parts.username or parts.password:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + host
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc += f":{port}"
    query = parts.query
    if query:
        kept = [
            (k, v)
            for k, v in parse_qsl(query, keep_blank_values=True)
            if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
        ]
        query = urlencode(kept, doseq=True, safe=":/@!$'()*,;~")
    path = parts.path
    if path == "/":
        path = ""
    return urlunsplit((scheme, netloc, path, query, ""))


def url_host(url: str | None) -> str | None:
    """Lower-case host of ``url`` without ``www.``, or ``None``.

    Examples:
        >>> url_host("https://www.News.example.org/x")
        'news.example.org'
    """
    if not url:
        return None
    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    if " " in host or ("." not in host and host != "localhost"):
        return None
    return host[4:] if host.startswith("www.") else host


def registered_domain(url: str | None) -> str | None:
    """The registrable domain of ``url`` (``bbc.co.uk`` for ``https://news.bbc.co.uk/...``).

    Examples:
        >>> registered_domain("https://news.bbc.co.uk/2/hi")
        'bbc.co.uk'
        >>> registered_domain("http://en.insidesyriamc.com/2017/08/06/x/")
        'insidesyriamc.com'
        >>> registered_domain("http://127.0.0.1:8000/a")
        '127.0.0.1'
    """
    host = url_host(url)
    if host is None:
        return None
    labels = host.split(".")
    if len(labels) <= 2 or all(label.isdigit() for label in labels) or ":" in host:
        return host
    if ".".join(labels[-2:]) in MULTI_PART_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
