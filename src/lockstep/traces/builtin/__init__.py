"""Built-in traces, one module each."""

from lockstep.traces.builtin import (  # noqa: F401  (registration)
    codomain,
    cohashtag,
    colink,
    comedia,
    comedia_near,
    comention,
    coreply,
    coretweet,
    cotext,
    cross_platform_media,
    cross_platform_persona,
    cross_platform_text,
    cross_platform_url,
    crosslingual,
    fast_retweet,
    hashtag_sequence,
    neardup,
    reactivation,
)
