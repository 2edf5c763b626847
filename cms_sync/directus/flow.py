"""Provisioning step 5: the webhook Flow that tells the sync worker content changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from cms_sync.directus.admin_api import AdminApi, Item
from cms_sync.directus.content_schema import ordered_collections

WEBHOOK_SECRET_HEADER: Final = "X-Verdict-Webhook-Secret"
FLOW_NAME: Final = "Verdict webhook"
OPERATION_KEY: Final = "verdict_webhook"


async def apply_flow(
    api: AdminApi,
    model: Mapping[str, Any],
    webhook_url: str,
    webhook_secret: str | None,
    changes: list[str],
) -> str:
    flow_fields: Item = {
        "icon": "webhook",
        "description": "Tells Verdict's sync worker that content changed.",
        "status": "active",
        "trigger": "event",
        "accountability": "activity",
        "options": {
            "type": "action",
            "scope": ["items.create", "items.update", "items.delete"],
            "collections": ordered_collections(model),
        },
    }
    flow = await api.find_one("/flows", name=FLOW_NAME)
    if flow is None:
        flow = await api.data("POST", "/flows", body={"name": FLOW_NAME, **flow_fields})
        changes.append("created webhook flow")
    else:
        patch = {k: v for k, v in flow_fields.items() if flow.get(k) != v}
        if patch:
            await api.data("PATCH", f"/flows/{flow['id']}", body=patch)
            changes.append(f"updated webhook flow {sorted(patch)}")
    assert flow is not None
    flow_id = str(flow["id"])

    headers = [{"header": WEBHOOK_SECRET_HEADER, "value": webhook_secret}] if webhook_secret else []
    options: Item = {
        "method": "POST",
        "url": webhook_url,
        "headers": headers,
        "body": "{{$trigger}}",
    }
    operation = await api.find_one("/operations", flow=flow_id, key=OPERATION_KEY)
    if operation is None:
        operation = await api.data(
            "POST",
            "/operations",
            body={
                "name": "POST to Verdict",
                "key": OPERATION_KEY,
                "type": "request",
                "position_x": 19,
                "position_y": 1,
                "flow": flow_id,
                "options": options,
            },
        )
        changes.append("created webhook operation")
    elif operation.get("type") != "request" or operation.get("options") != options:
        await api.data(
            "PATCH",
            f"/operations/{operation['id']}",
            body={"type": "request", "options": options},
        )
        changes.append("updated webhook operation (url/secret)")
    assert operation is not None
    if str(flow.get("operation")) != str(operation["id"]):
        await api.data("PATCH", f"/flows/{flow_id}", body={"operation": operation["id"]})
        changes.append("linked webhook operation to flow")
    return flow_id
