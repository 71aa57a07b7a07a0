"""The DCAT-AP feed as a national portal reads it: every page of /catalog.ttl and /catalog.rdf
validated with pyshacl against the official DCAT-AP 3.0.1 shapes (read from ../shared, never
copied), through ../shared/tools/dcat_shacl_check.py, on SQLite and PostgreSQL."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from ckanapi import RemoteCKAN

SHARED = Path(__file__).resolve().parents[3] / "shared"
CHECK = SHARED / "tools" / "dcat_shacl_check.py"


@pytest.fixture(scope="module")
def catalogue(kho):
    admin = RemoteCKAN(kho.url, apikey=kho.sysadmin_token, user_agent="kho-dcat-tests")
    admin.action.organization_create(name="so-y-te", title="Sở Y tế")
    admin.action.group_create(name="y-te", title="Y tế")
    for i in range(5):
        admin.action.package_create(
            name=f"co-so-y-te-{i}", title=f"Cơ sở y tế số {i}", type="vn-dataset", owner_org="so-y-te",
            notes="Danh sách cơ sở khám chữa bệnh.", license_id="cc-by", private=(i == 4),
            tags=[{"name": "y tế"}], groups=[{"name": "y-te"}], maintainer="Phòng dữ liệu",
            maintainer_email="du-lieu@so-y-te.example.gov.vn", linh_vuc="y-te", tan_suat_cap_nhat="hang-quy",
            muc_do_chia_se="mo", thoi_gian_bat_dau="2024-01-01", thoi_gian_ket_thuc="2024-12-31",
            pham_vi_khong_gian="52", co_so_phap_ly="Luật Dữ liệu 60/2024/QH15", thoi_han_truc_tuyen="vinh-vien",
            dau_moi_lien_he="Phòng dữ liệu, du-lieu@so-y-te.example.gov.vn", muc_tieu="Công khai cơ sở y tế",
            pham_vi="Toàn tỉnh", du_lieu_chu="Cơ sở y tế", doi_tuong_muc_dich_khai_thac="Người dân tra cứu",
            nguon_thong_tin="Báo cáo của Sở", phuong_thuc_chia_se="tai-ve",
            resources=[{"url": f"https://a.gov.vn/{i}.csv", "name": "Số liệu", "format": "CSV"},
                       {"url": f"https://a.gov.vn/{i}.xlsx", "name": "Bảng tính"}],
        )
    return kho


def pages(base, extension):
    """Follows hydra:next from page 1; returns the bodies."""
    url, bodies = f"{base}/catalog.{extension}", []
    while url and len(bodies) < 50:
        response = requests.get(url, timeout=30)
        assert response.status_code == 200
        bodies.append(response.content)
        link = rb'hydra:next "([^"]+)"' if extension == "ttl" else rb"<hydra:next>([^<]+)</hydra:next>"
        found = re.search(link, response.content)
        url = found.group(1).decode().replace("&amp;", "&") if found else None
    return bodies


@pytest.mark.parametrize("extension", ["ttl", "rdf"])
def test_the_demo_catalogue_has_no_shacl_violations(kho_demo, tmp_path, extension):
    if not CHECK.exists():
        pytest.fail(f"{CHECK} is missing (../shared beside the checkout)")
    files = []
    for number, body in enumerate(pages(kho_demo.url, extension)):
        path = tmp_path / f"page{number}.{extension}"
        path.write_bytes(body)
        files.append(str(path))
    run = subprocess.run([sys.executable, str(CHECK), "--sets", "base,range,vocab", *files],
                         capture_output=True, text=True, timeout=600)
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    table = {line.split()[0]: int(line.split()[1]) for line in run.stdout.splitlines()[1:] if line.split()}
    assert table == {"base": 0, "range": 0, "vocab": 0}


def test_incomplete_metadata_is_served_and_flagged_only_as_recommendations(catalogue, tmp_path):
    """A dataset with nothing but a name: Kho still serves it, the mandatory shapes pass (Kho
    falls back to the title for the description, to the organisation for publisher and
    contact), and the recommended shapes flag what is missing."""
    admin = RemoteCKAN(catalogue.url, apikey=catalogue.sysadmin_token, user_agent="kho-dcat-tests")
    admin.action.package_create(name="thieu-thong-tin", owner_org="so-y-te")
    response = requests.get(f"{catalogue.url}/dataset/thieu-thong-tin.ttl", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/turtle"
    path = tmp_path / "incomplete.ttl"
    path.write_bytes(response.content)
    run = subprocess.run([sys.executable, str(CHECK), "--sets", "base,range,vocab,recommended", "--details", str(path)],
                         capture_output=True, text=True, timeout=600)
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    flagged = {line.split()[3] for line in run.stdout.splitlines() if "x Warning" in line and "Less than 1 values" in line}
    assert {"dcat:distribution", "dcat:keyword", "dcat:theme", "dct:temporal"} <= flagged, flagged
