import pytest


@pytest.mark.django_db
def test_422_fields_are_in_chinese(client):
    response = client.get("/api/v1/items", {"limit": "abc"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["message"] == "请求参数不合法"
    assert body["fields"]["limit"] == ["应为整数"]


@pytest.mark.django_db
def test_422_bounds_are_in_chinese(client):
    response = client.get("/api/v1/items", {"limit": "1000"})
    assert response.status_code == 422
    assert response.json()["fields"]["limit"] == ["应不大于100"]
