"""Pod UUIDs made without the uuid module are valid version 4 UUIDs, and distinct."""

import uuid

from rktnetes.rkt.pods import preparing


def test_new_uuid_is_a_random_rfc4122_uuid():
    made = [preparing.new_uuid() for _ in range(200)]
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert len(set(made)) == len(made)
