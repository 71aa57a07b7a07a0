"""Acceptance test: the real `ckanapi` client against a running Kho, on SQLite and PostgreSQL.

Covers the foundation issue's "done when": accounts, an organisation with a Vietnamese title,
membership, the API token lifecycle, read-back, and CKAN's error mapping as ckanapi sees it.
"""

import pytest
from ckanapi import RemoteCKAN, errors

USER_AGENT = "kho-ckanapi-tests"

USER_NAME = "can-bo-so-y-te"
USER_EMAIL = "binh.tt@soyte.gialai.gov.vn"
USER_FULLNAME = "Trần Thị Bình"
ORG_NAME = "so-y-te"
ORG_TITLE = "Sở Y tế tỉnh Gia Lai"
ORG_DESCRIPTION = "Dữ liệu mở về cơ sở khám chữa bệnh, tiêm chủng và an toàn thực phẩm."


def client(kho, apikey=None):
    return RemoteCKAN(kho.url, apikey=apikey, user_agent=USER_AGENT)


def test_status_show_answers_as_ckan(kho):
    status = client(kho).action.status_show()
    assert isinstance(status["ckan_version"], str) and status["ckan_version"]
    assert status["site_url"] == kho.url


def test_accounts_organisation_membership_and_tokens(kho):
    sysadmin = client(kho, kho.sysadmin_token)

    me = sysadmin.action.user_show()
    assert me["name"] == "admin"
    assert me["id"] == kho.sysadmin_id
    assert me["sysadmin"] is True

    # A user with a Vietnamese full name.
    user = sysadmin.action.user_create(
        name=USER_NAME, email=USER_EMAIL, password="Mat-khau-rat-dai-2024", fullname=USER_FULLNAME
    )
    assert user["name"] == USER_NAME
    assert user["fullname"] == USER_FULLNAME
    assert user["id"]
    assert "password" not in user

    # An organisation with diacritics in its title and description.
    org = sysadmin.action.organization_create(
        name=ORG_NAME, title=ORG_TITLE, description=ORG_DESCRIPTION
    )
    assert org["name"] == ORG_NAME
    assert org["title"] == ORG_TITLE
    assert org["description"] == ORG_DESCRIPTION
    assert org["is_organization"] is True
    assert org["type"] == "organization"

    # The user becomes an editor.
    member = sysadmin.action.organization_member_create(
        id=ORG_NAME, username=USER_NAME, role="editor"
    )
    assert member["capacity"] == "editor"
    assert member["table_id"] == user["id"]
    assert member["group_id"] == org["id"]

    # A token for the user, used by the user.
    created = sysadmin.action.api_token_create(user=USER_NAME, name="may-chu-dong-bo")
    token, token_id = created["token"], created["id"]
    assert token and token_id and token != token_id

    as_user = client(kho, token)
    me = as_user.action.user_show()
    assert me["name"] == USER_NAME
    assert me["id"] == user["id"]
    assert me["fullname"] == USER_FULLNAME
    assert me["email"] == USER_EMAIL
    assert me["sysadmin"] is False

    # The user sees their own tokens, without the secret.
    tokens = as_user.action.api_token_list(user_id=USER_NAME)
    assert [(t["id"], t["name"]) for t in tokens] == [(token_id, "may-chu-dong-bo")]
    assert tokens[0]["user_id"] == user["id"]
    assert "token" not in tokens[0]
    assert sysadmin.action.api_token_list(user_id=user["id"]) == tokens

    # Revoked, the token is no credential at all: the caller is anonymous.
    assert sysadmin.action.api_token_revoke(jti=token_id) is None
    with pytest.raises(errors.NotFound):
        as_user.action.user_show()
    assert sysadmin.action.api_token_list(user_id=USER_NAME) == []
    with pytest.raises(errors.NotAuthorized):
        as_user.action.api_token_list(user_id=USER_NAME)

    # Read everything back.
    shown = sysadmin.action.organization_show(id=ORG_NAME)
    assert shown["id"] == org["id"]
    assert shown["title"] == ORG_TITLE
    assert shown["display_name"] == ORG_TITLE
    assert shown["description"] == ORG_DESCRIPTION
    capacities = {u["name"]: u["capacity"] for u in shown["users"]}
    assert capacities[USER_NAME] == "editor"

    # Anonymous readers see the same title, byte for byte.
    assert client(kho).action.organization_show(id=org["id"])["title"] == ORG_TITLE

    assert ORG_NAME in sysadmin.action.organization_list()
    listed = sysadmin.action.organization_list(all_fields=True)
    assert {o["name"]: o["title"] for o in listed}[ORG_NAME] == ORG_TITLE

    for_user = sysadmin.action.organization_list_for_user(id=USER_NAME)
    assert [(o["name"], o["capacity"]) for o in for_user] == [(ORG_NAME, "editor")]
    assert for_user[0]["title"] == ORG_TITLE

    shown_user = sysadmin.action.user_show(id=USER_NAME)
    assert shown_user["id"] == user["id"]
    assert shown_user["fullname"] == USER_FULLNAME
    assert shown_user["email"] == USER_EMAIL
    assert sysadmin.action.user_show(id=user["id"])["name"] == USER_NAME


def test_duplicate_organisation_name_is_a_validation_error(kho):
    sysadmin = client(kho, kho.sysadmin_token)
    first = sysadmin.action.organization_create(name="so-tai-chinh", title="Sở Tài chính")
    assert first["title"] == "Sở Tài chính"
    with pytest.raises(errors.ValidationError) as raised:
        sysadmin.action.organization_create(name="so-tai-chinh", title="Sở Tài chính (bản sao)")
    error = raised.value.error_dict
    assert error["__type"] == "Validation Error"
    assert "name" in error and error["name"]
    # The first one is untouched.
    assert sysadmin.action.organization_show(id="so-tai-chinh")["title"] == "Sở Tài chính"


def test_unknown_organisation_is_not_found(kho):
    with pytest.raises(errors.NotFound):
        client(kho, kho.sysadmin_token).action.organization_show(id="khong-ton-tai")
    with pytest.raises(errors.NotFound):
        client(kho).action.organization_show(id="khong-ton-tai")


def test_anonymous_cannot_create_an_organisation(kho):
    with pytest.raises(errors.NotAuthorized):
        client(kho).action.organization_create(name="x1")
    assert "x1" not in client(kho, kho.sysadmin_token).action.organization_list()
    with pytest.raises(errors.NotFound):
        client(kho).action.organization_show(id="x1")
