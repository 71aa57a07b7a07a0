"""Datasets through the real `ckanapi` library and CLI, on SQLite and PostgreSQL: round trips,
and `ckanapi dump datasets --all` -> `ckanapi load datasets` into another organisation."""

import json
import os
import subprocess
import sys

import pytest
from ckanapi import RemoteCKAN, errors

ORG = "so-nong-nghiep"
COPY_ORG = "so-nong-nghiep-ban-sao"


def client(kho, apikey=None):
    return RemoteCKAN(kho.url, apikey=apikey, user_agent="kho-ckanapi-tests")


def ckanapi_cli(*args):
    bin_dir = os.path.dirname(sys.executable)
    # ckanapi's worker processes start `ckanapi` by name: the venv must be on PATH.
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    result = subprocess.run([os.path.join(bin_dir, "ckanapi"), *args], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def portal(kho):
    admin = client(kho, kho.sysadmin_token)
    admin.action.organization_create(name=ORG, title="Sở Nông nghiệp và Môi trường")
    admin.action.organization_create(name=COPY_ORG, title="Bản sao")
    admin.action.group_create(name="moi-truong", title="Môi trường")
    return admin


def test_dataset_round_trip(kho, portal):
    created = portal.action.package_create(
        name="chat-luong-nuoc-2025",
        title="Chất lượng nước mặt năm 2025",
        owner_org=ORG,
        notes="Kết quả quan trắc **nước mặt** các sông, hồ.",
        license_id="vn-state-open-data",
        tags=[{"name": "nước"}, {"name": "môi trường"}],
        extras=[{"key": "tan_suat", "value": "hằng quý"}],
        groups=[{"name": "moi-truong"}],
        resources=[{"name": "Số liệu quan trắc", "url": "https://a.gov.vn/nuoc.csv"}],
    )
    assert created["title"] == "Chất lượng nước mặt năm 2025"
    assert created["resources"][0]["format"] == "CSV"
    assert [t["name"] for t in created["tags"]] == ["môi trường", "nước"]

    patched = portal.action.package_patch(id=created["id"], notes="Đã cập nhật")
    assert patched["notes"] == "Đã cập nhật"
    assert patched["num_resources"] == 1
    assert patched["metadata_modified"] > created["metadata_modified"]

    resource = portal.action.resource_create(package_id=created["id"], url="https://a.gov.vn/nuoc.xlsx", name="Bảng tính")
    assert resource["position"] == 1 and resource["format"] == "XLSX"

    full = portal.action.package_show(id="chat-luong-nuoc-2025")
    full["title"] = "Chất lượng nước mặt 2025 (bản sửa)"
    updated = portal.action.package_update(**full)
    assert updated["title"] == "Chất lượng nước mặt 2025 (bản sửa)"
    assert updated["num_resources"] == 2
    assert updated["extras"] == [{"key": "tan_suat", "value": "hằng quý"}]

    with pytest.raises(errors.ValidationError) as invalid:
        portal.action.package_create(name="Sai Tên", owner_org=ORG)
    assert "name" in invalid.value.error_dict

    anonymous = client(kho)
    assert anonymous.action.package_show(id=created["id"])["name"] == "chat-luong-nuoc-2025"
    with pytest.raises(errors.NotAuthorized):
        anonymous.action.package_patch(id=created["id"], notes="x")

    portal.action.package_create(name="tam-thoi", owner_org=ORG)
    assert portal.action.package_delete(id="tam-thoi") is None
    assert "tam-thoi" not in anonymous.action.package_list()
    with pytest.raises(errors.NotAuthorized):
        anonymous.action.package_show(id="tam-thoi")


def test_dump_and_load_into_another_organisation(kho, portal, tmp_path):
    for index in range(3):
        portal.action.package_create(
            name=f"du-lieu-goc-{index}",
            title=f"Dữ liệu gốc số {index}",
            owner_org=ORG,
            tags=[{"name": "bản gốc"}],
            resources=[{"url": f"https://a.gov.vn/{index}.json", "name": f"Tệp {index}"}],
        )
    dump = tmp_path / "datasets.jsonl"
    ckanapi_cli("dump", "datasets", "--all", "-r", kho.url, "-a", kho.sysadmin_token, "-O", str(dump), "-q")
    originals = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines() if line.strip()]
    originals = [d for d in originals if d["name"].startswith("du-lieu-goc-")]
    assert len(originals) == 3

    copies = []
    for original in originals:
        copy = dict(original)
        for key in ("id", "organization", "owner_org"):
            copy.pop(key, None)
        copy["name"] = original["name"].replace("goc", "sao")
        copy["owner_org"] = COPY_ORG
        copy["resources"] = [{k: v for k, v in r.items() if k not in ("id", "package_id")} for r in original["resources"]]
        copies.append(copy)
    source = tmp_path / "copies.jsonl"
    source.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in copies) + "\n", encoding="utf-8")
    ckanapi_cli("load", "datasets", "-I", str(source), "-r", kho.url, "-a", kho.sysadmin_token, "-q")

    for original in originals:
        copy = portal.action.package_show(id=original["name"].replace("goc", "sao"))
        assert copy["organization"]["name"] == COPY_ORG
        assert copy["id"] != original["id"]
        for key in ("title", "notes", "license_id", "extras", "num_resources", "num_tags"):
            assert copy[key] == original[key], key
        assert [t["name"] for t in copy["tags"]] == [t["name"] for t in original["tags"]]
        assert [(r["url"], r["name"], r["format"]) for r in copy["resources"]] == [
            (r["url"], r["name"], r["format"]) for r in original["resources"]
        ]
    counts = {o["name"]: o["package_count"] for o in portal.action.organization_list(all_fields=True)}
    assert counts[COPY_ORG] == 3


def test_search_through_ckanapi(kho, portal):
    """`package_search` as ckanapi uses it: the library with facets, and the CLI's
    `search datasets`, which pages with rows=1000 until a page is empty."""
    names = [f"dan-so-xa-{i:02d}" for i in range(12)]
    for i, name in enumerate(names):
        portal.action.package_create(
            name=name,
            title=f"Dân số xã số {i}",
            owner_org=ORG,
            private=(i == 0),
            tags=[{"name": "dân số"}],
            resources=[{"url": f"https://a.gov.vn/{name}.csv"}],
        )
    anonymous = client(kho)
    found = anonymous.action.package_search(q="dan so xa", rows=5, **{"facet.field": '["res_format"]'})
    assert found["count"] == 11, "the private dataset is not counted"
    assert len(found["results"]) == 5
    assert found["facets"]["res_format"]["CSV"] == 11
    assert found["results"][0] == anonymous.action.package_show(id=found["results"][0]["name"])

    with pytest.raises(errors.ValidationError):
        anonymous.action.package_search(rows="muoi")
    with pytest.raises(errors.SearchError):
        anonymous.action.package_search(q="title:(")

    listed = ckanapi_cli("search", "datasets", "fq=tags:\"dân số\"", "-r", kho.url)
    got = sorted(json.loads(line)["name"] for line in listed.stdout.splitlines() if line.strip())
    assert got == names[1:]
