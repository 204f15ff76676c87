"""Pod UUIDs made without the uuid module are valid version 4 UUIDs, and distinct."""

import time
import uuid

from rktnetes.rkt.pods import preparing


def test_new_uuid_is_a_random_rfc4122_uuid():
    made = [preparing.new_uuid() for _ in range(200)]
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert len(set(made)) == len(made)


def test_resolving_records_an_images_use_at_most_once_a_minute(tmp_path, make_aci):
    from rktnetes.rkt.images import index
    from rktnetes.rkt.images.store import ImageStore
    from rktnetes.rkt.pods import stage0

    store = ImageStore(tmp_path)
    info = store.import_aci(make_aci())
    ctx = stage0.Context(tmp_path, tmp_path / "etc", tmp_path / "lib")
    try:
        index.touch(store.db, info.id, when=time.time() - 3600)  # last used an hour ago: recorded now
        stage0.resolve_images(ctx, [info.id])
        recent = store.get(info.id).last_used
        assert time.time() - recent < 5
        stage0.resolve_images(ctx, [info.id])  # again within the minute: no write
        assert store.get(info.id).last_used == recent
        index.touch(store.db, info.id, when=time.time() + 3600)  # a clock that went back: recorded again
        stage0.resolve_images(ctx, [info.id])
        assert store.get(info.id).last_used < time.time() + 5
    finally:
        store.close()
