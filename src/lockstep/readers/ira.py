"""FiveThirtyEight / Clemson (Linvill & Warren) Internet Research Agency tweets.

Two layouts: the original ``IRAhandle_tweets_N.csv`` files (``author``, ``publish_date`` as
``M/D/YYYY H:MM``, ``tweet_id`` in later versions) and the per-author parquet re-publication shared with
Lockstep (``author_id``, ``publish_date`` as ``YYYY-MM-DD HH:MM:SS``; no tweet ids). Times are UTC. A
retweet is ``retweet = 1`` (``post_type`` ``R``; ``Q`` marks a quote): its ``content`` is the retweeted text,
and the original's id is unknown. Follower counts are snapshots taken with each tweet.

Without tweet ids Lockstep derives a deterministic content id (account, time, text, kind, and the occurrence
number among identical rows), so re-ingesting adds nothing and genuine repeated rows are all kept.
"""

from __future__ import annotations

from lockstep.readers.base import register
from lockstep.readers.mapping import ColumnMap
from lockstep.readers.table_reader import TableReader

_KIND = (
    "CASE WHEN upper(trim(coalesce(post_type, ''))) = 'Q' THEN 'quote' "
    "WHEN upper(trim(coalesce(post_type, ''))) IN ('R', 'RETWEET') OR trim(coalesce(retweet, '')) = '1' "
    "THEN 'repost' ELSE 'original' END"
)

IRA = ColumnMap(
    platform="twitter",
    columns={
        "text": "content",
        "created_at": "publish_date",
        "language": "language",
        "followers": "followers",
        "following": "following",
        "post_count": "updates",
    },
    expressions={"account_id": "lower(trim(author_id))", "handle": "trim(author_id)", "kind": _KIND},
    required=("created_at", "text"),
)

IRA_ORIGINAL = ColumnMap(
    platform="twitter",
    columns={**IRA.columns, "post_id": "tweet_id"},
    expressions={"account_id": "lower(trim(author))", "handle": "trim(author)", "kind": _KIND},
    required=("created_at", "text"),
)

register(
    TableReader(
        "ira",
        IRA,
        signature=("author_id", "content", "publish_date", "post_type"),
        description="IRA tweets, per-author parquet/CSV layout (author_id, content, publish_date, post_type)",
        ensure_columns=("post_type", "retweet"),
    )
)
register(
    TableReader(
        "ira-fivethirtyeight",
        IRA_ORIGINAL,
        signature=("author", "content", "publish_date", "account_category"),
        forbidden=("author_id",),
        description="IRA tweets as FiveThirtyEight published them (IRAhandle_tweets_N.csv)",
        ensure_columns=("post_type", "retweet"),
    )
)

IRA_AUTHORS = ColumnMap(
    platform="twitter",
    columns={"handle": "author"},
    expressions={"account_id": "lower(trim(author_id))"},
    required=("handle",),
    has_posts=False,
)

register(
    TableReader(
        "ira-authors",
        IRA_AUTHORS,
        signature=("author_id", "author", "account_category", "external_author_id"),
        forbidden=("content",),
        description="IRA author table (authors.csv: account_type, account_category, ... kept in extra)",
    )
)
