"""Round trip through the real ckanext-dcat parser: the demo catalogue's feed, followed page by
page exactly as a CKAN national portal's DCAT harvester does (../shared/tools/dcat_parse_check.py
--follow, ckanext-dcat 2.4.4, profile euro_dcat_ap_3), must rebuild each public dataset's
package_show dict, field by field, on SQLite and PostgreSQL.

The parser runs in its own virtual environment (CKAN and ckanext-dcat; `scripts/test.sh`
creates it): KHO_CKAN_PYTHON names its interpreter (default ~/.cache/kho-ckan-venv/bin/python).
The differences that are expected are listed in EXPECTED_DIFFERENCES and in docs/dcat.md.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT.parent / "shared"
PARSE = SHARED / "tools" / "dcat_parse_check.py"
VOCABULARIES = json.loads((PROJECT / "dcat" / "vocabularies.json").read_text())
LICENCES = {licence["id"]: licence for licence in json.loads((PROJECT / "dcat" / "licenses.json").read_text())}
AUTHORITY = "http://publications.europa.eu/resource/authority"
IANA = "https://www.iana.org/assignments/media-types"
# Licence ids in CKAN's default licence register (the harvester maps licences back by it).
CKAN_REGISTER = {"cc-by", "cc-by-sa", "cc-zero", "cc-nc", "odc-by", "odc-odbl", "odc-pddl", "gfdl",
                 "uk-ogl", "other-at", "other-nc", "other-open", "other-pd", "other-closed", "notspecified"}

EXPECTED_DIFFERENCES = """
- name, id, owner_org, groups, organization, private, state, type, metadata_*: DCAT carries none
  of them as such; a harvester makes its own (spec section 5.1). They come back as extras
  (identifier, uri, issued, modified, publisher_*) and are checked there.
- url: Kho always writes dcat:landingPage, the dataset's page on the province's portal, when
  the dataset has no url of its own.
- license_id: a licence outside CKAN's default register (vn-state-open-data) comes back empty
  unless the harvesting portal loads Kho's licence list.
- the provincial fields without a DCAT-AP property (muc_tieu, pham_vi, du_lieu_chu, ...) are not
  in DCAT; pham_vi_khong_gian comes back as spatial_uri/spatial_text.
"""


def ckan_python() -> str:
    python = os.environ.get("KHO_CKAN_PYTHON") or os.path.expanduser("~/.cache/kho-ckan-venv/bin/python")
    probe = subprocess.run([python, "-c", "import ckanext.dcat"], capture_output=True) if os.path.exists(python) else None
    if probe is None or probe.returncode != 0:
        message = f"no CKAN + ckanext-dcat environment at {python} (scripts/test.sh creates it)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return python


def harvest(url: str) -> list:
    run = subprocess.run([ckan_python(), str(PARSE), url, "--follow"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"the ckanext-dcat parser failed on {url}:\n{run.stderr}"
    return json.loads(run.stdout)


def public_datasets(base: str) -> dict:
    found, start = {}, 0
    while True:
        page = requests.get(f"{base}/api/3/action/package_search",
                            params={"rows": 1000, "start": start, "sort": "id asc"}, timeout=60).json()["result"]
        for dataset in page["results"]:
            found[dataset["id"]] = requests.get(f"{base}/api/3/action/package_show",
                                                params={"id": dataset["id"]}, timeout=30).json()["result"]
        start += 1000
        if start >= page["count"]:
            return found


def text(value):
    """package_show's empty values (None, "") as DCAT has them: absent."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def expected_extras(base: str, dataset: dict) -> dict:
    """The extras ckanext-dcat's legacy layout builds from Kho's DCAT for `dataset`."""
    org = dataset["organization"]
    extras = {
        "identifier": dataset["id"],
        "uri": f"{base}/dataset/{dataset['id']}",
        "issued": dataset["metadata_created"],
        "modified": dataset["metadata_modified"],
        "language": json.dumps([f"{AUTHORITY}/language/VIE"]),
        "publisher_uri": f"{base}/organization/{org['id']}",
        "publisher_name": org["title"],
        "publisher_type": "http://purl.org/adms/publishertype/RegionalAuthority",
        "contact_uri": f"{base}/organization/{org['id']}#contact",
        "contact_name": text(dataset.get("maintainer")) or text(dataset.get("author")) or org["title"],
        "access_rights": f"{AUTHORITY}/access-right/"
                         + VOCABULARIES["access_rights"].get(dataset.get("muc_do_chia_se") or "mo", "PUBLIC"),
    }
    units = [code.strip() for code in (dataset.get("pham_vi_khong_gian") or "").split(",") if code.strip()]
    if units:
        # One location per administrative unit (Kho-local IRIs); a dataset here has one unit.
        assert len(units) == 1, units
        extras["spatial_uri"] = f"{base}/dia-ban/{units[0]}"
        extras["spatial_text"] = VOCABULARIES["administrative_units"].get(units[0], f"Đơn vị hành chính {units[0]}")
    else:
        extras["spatial_uri"] = f"{AUTHORITY}/country/VNM"
        extras["spatial_text"] = "Viet Nam"
        extras["spatial_bbox"] = {"type": "Polygon", "coordinates": [[[102.14, 8.18], [109.47, 8.18],
                                  [109.47, 23.39], [102.14, 23.39], [102.14, 8.18]]]}
        extras["spatial_centroid"] = {"type": "Point", "coordinates": [105.8, 16.0]}
    email = text(dataset.get("maintainer_email")) or text(dataset.get("author_email"))
    if email:
        extras["contact_email"] = email
    themes = sorted({f"{AUTHORITY}/data-theme/{VOCABULARIES['themes'][key]}"
                     for key in [g["name"] for g in dataset.get("groups", [])] + [dataset.get("linh_vuc")]
                     if key in VOCABULARIES["themes"]})
    if themes:
        extras["theme"] = themes
    if dataset.get("tan_suat_cap_nhat") in VOCABULARIES["frequencies"]:
        extras["frequency"] = f"{AUTHORITY}/frequency/{VOCABULARIES['frequencies'][dataset['tan_suat_cap_nhat']]}"
    for field, extra in [("thoi_gian_bat_dau", "temporal_start"), ("thoi_gian_ket_thuc", "temporal_end")]:
        if text(dataset.get(field)):
            extras[extra] = dataset[field]
    if text(dataset.get("version")):
        extras["version"] = dataset["version"]
    return extras


def harvested_extras(harvested: dict) -> dict:
    extras = {e["key"]: e["value"] for e in harvested.get("extras", [])}
    if "theme" in extras:
        extras["theme"] = sorted(json.loads(extras["theme"]))
    for geometry in ("spatial_bbox", "spatial_centroid"):
        if geometry in extras:
            extras[geometry] = json.loads(extras[geometry])
    return extras


def expected_resource(base: str, dataset: dict, resource: dict) -> dict:
    expected = {
        "name": text(resource.get("name")),
        "description": text(resource.get("description")),
        "url": resource["url"],
        "access_url": resource["url"],
        "issued": resource["created"],
        "modified": resource["metadata_modified"],
    }
    fmt = (resource.get("format") or "").upper()
    if fmt in VOCABULARIES["formats"]:
        expected["format"] = fmt
        expected["mimetype"] = VOCABULARIES["formats"][fmt][1]
    if fmt != "API":
        expected["download_url"] = resource["url"]
    if resource.get("size") is not None:
        expected["size"] = resource["size"]
    if dataset.get("thoi_han_truc_tuyen") in VOCABULARIES["availability"]:
        code = VOCABULARIES["availability"][dataset["thoi_han_truc_tuyen"]]
        expected["availability"] = f"{AUTHORITY}/planned-availability/{code}"
    licence = dataset.get("license_id")
    if licence in VOCABULARIES["licences"]:
        expected["license"] = f"{AUTHORITY}/licence/{VOCABULARIES['licences'][licence]}"
    elif licence in LICENCES:
        expected["license"] = LICENCES[licence].get("url") or f"{base}/licence/{licence}"
    return {key: value for key, value in expected.items() if value is not None}


def compare(base: str, dataset: dict, harvested: dict) -> list:
    """Differences between a package_show dict and what ckanext-dcat rebuilt from the feed."""
    problems = []

    def check(what, want, got):
        if want != got:
            problems.append(f"{dataset['name']}: {what}: package_show {want!r}, harvested {got!r}")

    check("title", dataset["title"], harvested.get("title"))
    check("notes", text(dataset.get("notes")) or dataset["title"], harvested.get("notes"))
    check("tags", sorted(t["name"] for t in dataset["tags"]), sorted(t["name"] for t in harvested.get("tags", [])))
    check("url", text(dataset.get("url")) or f"{base}/dataset/{dataset['name']}", harvested.get("url"))
    check("license_id", dataset["license_id"] if dataset["license_id"] in CKAN_REGISTER else "",
          harvested.get("license_id"))
    check("extras", expected_extras(base, dataset), harvested_extras(harvested))
    by_uri = {r.get("uri"): r for r in harvested.get("resources", [])}
    check("resource count", len(dataset["resources"]), len(by_uri))
    for resource in dataset["resources"]:
        uri = f"{base}/dataset/{dataset['id']}/resource/{resource['id']}"
        got = by_uri.get(uri, {})
        got = {key: value for key, value in got.items() if key not in ("uri", "distribution_ref")}
        if "format" in got:
            got["format"] = got["format"].upper()  # CKAN's format list writes GeoJSON
        check(f"resource {resource['id']}", expected_resource(base, dataset, resource), got)
    return problems


@pytest.mark.parametrize("extension", ["ttl", "rdf"])
def test_ckanext_dcat_rebuilds_the_demo_catalogue(kho_demo, extension):
    shown = public_datasets(kho_demo.url)
    assert len(shown) >= 250, "the demo catalogue has its public datasets"
    harvested = harvest(f"{kho_demo.url}/catalog.{extension}")
    by_identifier = {}
    for dataset in harvested:
        identifier = harvested_extras(dataset).get("identifier")
        assert identifier not in by_identifier, f"{identifier} harvested twice"
        by_identifier[identifier] = dataset
    assert set(by_identifier) == set(shown), "paging yields exactly the public datasets"
    problems = [p for identifier, dataset in shown.items() for p in compare(kho_demo.url, dataset,
                                                                           by_identifier[identifier])]
    assert not problems, f"{len(problems)} differences (expected ones: {EXPECTED_DIFFERENCES}):\n" + "\n".join(
        problems[:30])
