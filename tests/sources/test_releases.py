from datetime import datetime

import pytest

from sources.records import SourceError
from sources.releases import make_release, read_releases


def test_calendar_read_with_rejects(tmp_path):
    path = tmp_path / "releases.csv"
    path.write_text(
        "name,kind,start,end,area,notes\n"
        "サイトリニューアル,redesign,2026-10-19 10:00,,ログイン・カート,\n"
        "秋のセール,campaign,2026/09/14,2026/09/21,全商品,値引き\n"
        ",launch,2026-10-01,,,\n"
        "新アプリ,rollout,2026-10-01,,,\n"
        "障害,incident,2026-10-05 10:00,2026-10-04,,\n"
        "新商品,launch,来週,,,\n",
        encoding="utf-8",
    )
    releases, rejects = read_releases(path)
    assert [(r.name, r.kind, r.start) for r in releases] == [
        ("サイトリニューアル", "redesign", datetime(2026, 10, 19, 10)),
        ("秋のセール", "campaign", datetime(2026, 9, 14)),
    ]
    assert releases[1].end == datetime(2026, 9, 21) and releases[1].area == "全商品"
    assert [str(r) for r in rejects] == [
        f"{path}:4: a release needs a name",
        f"{path}:5: kind 'rollout' is not one of launch, redesign, campaign, incident, other",
        f"{path}:6: end 2026-10-04 00:00 is before start 2026-10-05 10:00",
        f"{path}:7: unparsable date '来週'",
    ]


def test_japanese_headers_and_cp932(tmp_path):
    path = tmp_path / "カレンダー.csv"
    path.write_bytes("名称,種別,開始日時\nリニューアル,redesign,2026年10月19日 10時\n".encode("cp932"))
    releases, rejects = read_releases(path)
    assert releases[0].start == datetime(2026, 10, 19, 10) and not rejects


def test_missing_columns_is_a_clear_error(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("name,when\nx,2026-10-01\n", encoding="utf-8")
    with pytest.raises(SourceError, match="needs columns kind, start"):
        read_releases(path)


def test_utc_offsets_become_tokyo_time():
    assert make_release("x", "Launch", "2026-10-19T01:00:00Z").start == datetime(2026, 10, 19, 10)
