"""The home page for newcomers and the health checks."""
from __future__ import annotations

from store.notices import write_notices
from formats.bases import get_base
from formats.notice import validate_notice


def test_home_page_explains_the_service_and_counts_notices_per_base(client, db):
    with db.session() as session:
        write_notices(session, [validate_notice(get_base("merimee"), {"REF": "PA00078014", "TICO": "Chapelle"})])
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for title in ("Joconde", "Mérimée", "Palissy", "Mémoire", "Rose-Valland", "Muséofile", "Autor", "Enluminures"):
        assert title in text
    assert "/oai" in text and "/exports/" in text
    assert "<td class=\"n\">1</td>" in text


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ok"


def test_metrics_count_notices_per_base_in_prometheus_format(client, db):
    with db.session() as session:
        write_notices(session, [validate_notice(get_base("autor"), {"REF": "OR000001", "NOM": "Abit"})])
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'pop_notices{base="autor",state="published"} 1.0' in text
    assert "# TYPE pop_oai_requests_total counter" in text


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/healthz").headers["X-Request-Id"]) == 16
    assert client.get("/healthz", headers={"X-Request-Id": "abc"}).headers["X-Request-Id"] == "abc"
