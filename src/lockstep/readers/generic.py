"""Generic tables (CSV, TSV, JSON lines, Parquet) with a user-given column map, and ready-made maps.

``--format generic --map text=body --map account_id=user ...`` (or ``--mapping FILE``) reads any table; the
ready-made maps cover the organic controls shared with Lockstep:

* ``airline-csv``: CrowdFlower "Twitter US Airline Sentiment" (Feb 2015). ``tweet_created`` is US Pacific
  time at minute resolution; the exact UTC time comes from the tweet id (X/Twitter ids are "snowflakes"
  whose top bits count milliseconds since 2010-11-04), with the local time as fallback. The export has only
  screen names, so the handle is the account id.
* ``bluesky-csv``: posts collected from Bluesky's search API with author profile columns (``uri`` is the post
  id, ``author_did`` the account id).
"""

from __future__ import annotations

from lockstep.readers.base import Probe, register
from lockstep.readers.mapping import ColumnMap
from lockstep.readers.table_reader import TableReader


class GenericReader(TableReader):
    """A table whose columns the user maps; never auto-detected (it would claim everything)."""

    def sniff(self, probe: Probe) -> float:
        return 0.0


GENERIC = ColumnMap(
    platform="generic",
    columns={
        "post_id": "post_id",
        "account_id": "account_id",
        "created_at": "created_at",
        "text": "text",
        "language": "language",
        "kind": "kind",
        "handle": "handle",
    },
    required=("account_id", "created_at"),
)

AIRLINE = ColumnMap(
    platform="twitter",
    columns={
        "post_id": "tweet_id",
        "account_id": "name",
        "handle": "name",
        "created_at": "tweet_created",
        "text": "text",
        "repost_count": "retweet_count",
        "location": "tweet_location",
    },
    timezone="America/Los_Angeles",
    time_from_snowflake=True,
    required=("post_id", "account_id", "created_at", "text"),
)

BLUESKY = ColumnMap(
    platform="bluesky",
    columns={
        "post_id": "uri",
        "account_id": "author_did",
        "handle": "author_handle",
        "created_at": "created_at",
        "text": "text",
        "language": "lang",
        "hashtags": "hashtags",
        "mentions": "mentions",
        "urls": "urls",
        "like_count": "like_count",
        "repost_count": "repost_count",
        "reply_count": "reply_count",
        "display_name": "author_display_name",
        "description": "author_description",
        "account_created_at": "author_created_at",
        "followers": "author_followers_count",
        "following": "author_following_count",
        "post_count": "author_posts_count",
        "avatar": "author_avatar",
    },
    required=("post_id", "account_id", "created_at"),
)

register(
    GenericReader(
        "generic",
        GENERIC,
        signature=(),
        description="any CSV/TSV/JSONL/Parquet table; map columns with --map FIELD=COLUMN or --mapping FILE",
    )
)
register(
    TableReader(
        "airline-csv",
        AIRLINE,
        signature=("tweet_id", "airline_sentiment", "tweet_created", "name"),
        description="CrowdFlower Twitter US Airline Sentiment CSV (Feb 2015)",
    )
)
register(
    TableReader(
        "bluesky-csv",
        BLUESKY,
        signature=("uri", "cid", "author_did", "created_at"),
        description="Bluesky posts CSV with author profile columns (uri, cid, author_did, ...)",
    )
)
