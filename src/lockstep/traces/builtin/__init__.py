"""Built-in traces, one module each."""

from lockstep.traces.builtin import (  # noqa: F401  (registration)
    codomain,
    cohashtag,
    colink,
    comedia,
    comention,
    coreply,
    coretweet,
    cotext,
    fast_retweet,
    hashtag_sequence,
    neardup,
    reactivation,
)
