from ninja import Router

router = Router(tags=["办件"])
