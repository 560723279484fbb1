"""Twitter/X Information Operations archive (Twitter Transparency Center, 2018-2021 releases).

Tweets: ``*_tweets_csv_hashed.csv`` (30 or 31 columns; 2020+ releases drop ``poll_choices`` and reorder),
users: ``*_users_csv_hashed.csv``. Columns are selected by name. Lists (``hashtags``, ``urls``,
``user_mentions``) are Python-list strings; coordinates may read ``absent``; accounts under ~5,000 followers
have ``userid`` and names replaced by one 44-character base64 hash (recorded as ``id_is_hashed``).
``tweet_time`` is UTC.
"""

from __future__ import annotations

from lockstep.readers.base import register
from lockstep.readers.mapping import ColumnMap
from lockstep.readers.table_reader import TableReader

HASHED_ID = r"[A-Za-z0-9+/]{43}="

_ACCOUNT_COLUMNS = {
    "account_id": "userid",
    "handle": "user_screen_name",
    "display_name": "user_display_name",
    "description": "user_profile_description",
    "location": "user_reported_location",
    "account_created_at": "account_creation_date",
    "followers": "follower_count",
    "following": "following_count",
    "account_language": "account_language",
}

TWEETS = ColumnMap(
    platform="twitter",
    columns={
        **_ACCOUNT_COLUMNS,
        "post_id": "tweetid",
        "created_at": "tweet_time",
        "text": "tweet_text",
        "language": "tweet_language",
        "is_repost": "is_retweet",
        "repost_of": "retweet_tweetid",
        "repost_of_account": "retweet_userid",
        "reply_to": "in_reply_to_tweetid",
        "reply_to_account": "in_reply_to_userid",
        "quote_of": "quoted_tweet_tweetid",
        "urls": "urls",
        "hashtags": "hashtags",
        "mentions": "user_mentions",
        "like_count": "like_count",
        "repost_count": "retweet_count",
        "reply_count": "reply_count",
        "quote_count": "quote_count",
        "client": "tweet_client_name",
    },
    required=("post_id", "account_id", "created_at", "text"),
    hashed_id_pattern=HASHED_ID,
    null_values=("", "absent"),
)

USERS = ColumnMap(
    platform="twitter",
    columns=dict(_ACCOUNT_COLUMNS),
    required=("account_id", "handle"),
    hashed_id_pattern=HASHED_ID,
    null_values=("", "absent"),
    has_posts=False,
)

register(
    TableReader(
        "io-archive-tweets",
        TWEETS,
        signature=("tweetid", "userid", "tweet_time"),
        description="Twitter IO archive tweets CSV (*_tweets_csv_hashed.csv, 30/31 columns, any order)",
        confidence=0.95,
    )
)
register(
    TableReader(
        "io-archive-users",
        USERS,
        signature=("userid", "user_screen_name", "account_creation_date"),
        forbidden=("tweetid",),
        description="Twitter IO archive users CSV (*_users_csv_hashed.csv)",
        confidence=0.95,
    )
)
