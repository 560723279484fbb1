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
    crosslingual,
    fast_retweet,
    hashtag_sequence,
    neardup,
    reactivation,
)
