erased: list[str] = []


def export(user) -> dict:
    return {"signatures": [{"action": "probe-petition", "email": user.email}]}


def erase(user) -> None:
    # The user row must still exist when an app erases its share.
    assert user.pk is not None
    erased.append(user.email)
