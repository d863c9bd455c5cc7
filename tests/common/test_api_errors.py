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


@pytest.mark.django_db
def test_422_body_fields_are_named_without_the_parameter_name(client, django_user_model):
    user = django_user_model.objects.create_user(username="tester", password=None)
    client.force_login(user)
    response = client.post("/api/v1/tasks/1/complete", {}, content_type="application/json")
    assert response.status_code == 422
    assert "opinion" in response.json()["fields"]
