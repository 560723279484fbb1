"""X API v2 tweets as ``twarc2 csv`` writes them (the twarc-csv plugin: one flattened tweet per row).

Columns are dotted JSON paths (``public_metrics.like_count``, ``author.username``,
``referenced_tweets.retweeted.id``); lists (``entities.hashtags``, ``entities.mentions``, ``entities.urls``)
are JSON arrays of ``#tag``, ``@name`` and URL strings; times are ISO 8601 UTC. The author's profile is on
every row, so each row is also an account snapshot. See https://github.com/DocNow/twarc-csv.
"""

from __future__ import annotations

from lockstep.readers.base import register
from lockstep.readers.mapping import ColumnMap
from lockstep.readers.table_reader import TableReader

TWARC_CSV = ColumnMap(
    platform="twitter",
    columns={
        "post_id": "id",
        "account_id": "author_id",
        "created_at": "created_at",
        "text": "text",
        "language": "lang",
        "client": "source",
        "repost_of": "referenced_tweets.retweeted.id",
        "repost_of_account": "retweeted_user_id",
        "reply_to": "referenced_tweets.replied_to.id",
        "reply_to_account": "in_reply_to_user_id",
        "quote_of": "referenced_tweets.quoted.id",
        "quote_of_account": "quoted_user_id",
        "hashtags": "entities.hashtags",
        "mentions": "entities.mentions",
        "urls": "entities.urls",
        "media": "attachments.media_keys",
        "like_count": "public_metrics.like_count",
        "repost_count": "public_metrics.retweet_count",
        "reply_count": "public_metrics.reply_count",
        "quote_count": "public_metrics.quote_count",
        "handle": "author.username",
        "display_name": "author.name",
        "description": "author.description",
        "location": "author.location",
        "account_created_at": "author.created_at",
        "followers": "author.public_metrics.followers_count",
        "following": "author.public_metrics.following_count",
        "post_count": "author.public_metrics.tweet_count",
        "avatar": "author.profile_image_url",
    },
    required=("post_id", "account_id", "created_at"),
)

register(
    TableReader(
        "twarc2-csv",
        TWARC_CSV,
        signature=("id", "conversation_id", "author_id", "created_at", "author.username"),
        description="X API v2 tweets as `twarc2 csv` writes them (dotted columns: author.username, ...)",
        kinds=("csv", "tsv", "parquet"),
        confidence=0.9,
    )
)
