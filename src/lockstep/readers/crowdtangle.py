"""CrowdTangle CSV exports (Facebook pages and groups, Instagram accounts), the format of Meta's tool that closed
on 14 August 2024 and of the archives made with it.

Facebook ("Historical Data" / saved-search CSV): ``Page Name`` (``Group Name`` for groups), ``User Name``,
``Facebook Id``, ``Page Category``, ``Page Admin Top Country``, ``Page Description``, ``Page Created``,
``Likes at Posting``, ``Followers at Posting``, ``Post Created`` (``2021-01-05 14:03:01 EST``: the dashboard's
time zone as an abbreviation; older exports call it ``Created``), ``Post Created Date``, ``Post Created Time``,
``Type``, ``Total Interactions``, ``Likes``, ``Comments``, ``Shares``, ``Love`` ... ``Care``, ``Video Share
Status``, ``Is Video Owner?``, ``Post Views``, ``Total Views``, ``Total Views For All Crossposts``, ``Video
Length``, ``URL``, ``Message``, ``Link``, ``Final Link``, ``Image Text``, ``Link Text``, ``Description``,
``Sponsor Id``, ``Sponsor Name``, ``Sponsor Category``, ``Overperforming Score (...)``. Instagram: ``Account``,
``User Name``, ``Followers at Posting``, ``Post Created``, ``Type``, ``Likes``, ``Comments``, ``Views``,
``URL``, ``Link``, ``Photo``, ``Title``, ``Description`` (the caption). Column lists as 4CAT's CrowdTangle
importer requires them (digitalmethodsinitiative/4cat, ``datasources/upload/import_formats.py``).

The export has no post id column: the post's permalink (``URL``) is its id. The account is the page's
``Facebook Id`` (Instagram: the ``User Name``). Times are converted to UTC from the zone abbreviation; one not
in :data:`ZONES` leaves the time unparseable, so the row is quarantined rather than shifted by guesswork.
The shared link (``Final Link``, else ``Link``) is the post's URL; hashtags and mentions come from the text.
"""

from __future__ import annotations

from lockstep.readers.base import register
from lockstep.readers.mapping import ColumnMap
from lockstep.readers.table_reader import TableReader
from lockstep.sqltext import ident, sql_str

#: UTC offsets of the zone abbreviations CrowdTangle wrote after ``Post Created``.
ZONES = {
    "UTC": "+00:00",
    "GMT": "+00:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
    "AKST": "-09:00",
    "AKDT": "-08:00",
    "HST": "-10:00",
    "BST": "+01:00",
    "WET": "+00:00",
    "WEST": "+01:00",
    "CET": "+01:00",
    "CEST": "+02:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "MSK": "+03:00",
    "IST": "+05:30",
    "SGT": "+08:00",
    "HKT": "+08:00",
    "JST": "+09:00",
    "KST": "+09:00",
    "AEST": "+10:00",
    "AEDT": "+11:00",
    "NZST": "+12:00",
    "NZDT": "+13:00",
}


def zoned_time_sql(expr: str) -> str:
    """``2021-01-05 14:03:01 EST`` -> ``2021-01-05 14:03:01-05:00`` (no abbreviation: unchanged, read as UTC)."""
    zones = "MAP {" + ", ".join(f"{sql_str(k)}: {sql_str(v)}" for k, v in ZONES.items()) + "}"
    x = f"trim({expr})"
    abbr = f"regexp_extract({x}, ' ([A-Za-z]{{2,5}})$', 1)"
    base = f"regexp_replace({x}, ' [A-Za-z]{{2,5}}$', '')"
    return f"CASE WHEN {abbr} = '' THEN {x} ELSE coalesce({base} || {zones}[upper({abbr})], {x}) END"


def quoted_list_sql(*columns: str) -> str:
    """The non-blank values of ``columns`` as one list cell (``"a" "b"``), each value whole (commas kept)."""
    parts = [
        f"CASE WHEN trim(coalesce({ident(c)}, '')) = '' THEN NULL "
        f"ELSE '\"' || replace(trim({ident(c)}), '\"', '%22') || '\"' END"
        for c in columns
    ]
    return f"nullif(concat_ws(' ', {', '.join(parts)}), '')"


_LINK = (
    "CASE WHEN trim(coalesce(\"Final Link\", '')) <> '' THEN "
    + quoted_list_sql("Final Link")
    + " ELSE "
    + quoted_list_sql("Link")
    + " END"
)

CROWDTANGLE_FACEBOOK = ColumnMap(
    platform="facebook",
    columns={
        "post_id": "URL",
        "account_id": "Facebook Id",
        "handle": "User Name",
        "text": "Message",
        "like_count": "Likes",
        "repost_count": "Shares",
        "reply_count": "Comments",
        "description": "Page Description",
        "followers": "Followers at Posting",
    },
    expressions={
        "created_at": zoned_time_sql('coalesce("Post Created", "Created")'),
        "account_created_at": zoned_time_sql('"Page Created"'),
        "display_name": 'coalesce("Page Name", "Group Name")',
        "urls": _LINK,
    },
    required=("post_id", "account_id"),
)

CROWDTANGLE_INSTAGRAM = ColumnMap(
    platform="instagram",
    columns={
        "post_id": "URL",
        "account_id": "User Name",
        "handle": "User Name",
        "display_name": "Account",
        "text": "Description",
        "like_count": "Likes",
        "reply_count": "Comments",
        "followers": "Followers at Posting",
    },
    expressions={
        "created_at": zoned_time_sql('coalesce("Post Created", "Created")'),
        "urls": quoted_list_sql("Link"),
        "media": quoted_list_sql("Photo"),
    },
    required=("post_id", "account_id"),
)

register(
    TableReader(
        "crowdtangle",
        CROWDTANGLE_FACEBOOK,
        signature=("User Name", "Facebook Id", "Total Interactions", "Message"),
        description="CrowdTangle Facebook CSV export (Page Name, Facebook Id, Post Created, Message, ...)",
        kinds=("csv", "tsv"),
        confidence=0.95,
        ensure_columns=("Post Created", "Created", "Page Created", "Page Name", "Group Name", "Link", "Final Link"),
    )
)
register(
    TableReader(
        "crowdtangle-instagram",
        CROWDTANGLE_INSTAGRAM,
        signature=("Account", "User Name", "Followers at Posting", "Photo"),
        forbidden=("Facebook Id",),
        description="CrowdTangle Instagram CSV export (Account, User Name, Post Created, Description, ...)",
        kinds=("csv", "tsv"),
        confidence=0.95,
        ensure_columns=("Post Created", "Created", "Link", "Photo"),
    )
)
