"""Connectors chosen by type: each validates its own config, unknown types and keys fail at once."""

import pytest
from pydantic import ValidationError

from sources import registry
from sources.base import SourceConfig


@pytest.mark.parametrize("source_type", registry.types())
def test_every_connector_has_its_config_and_pull(source_type):
    module = registry.connector(source_type)
    assert issubclass(module.CONFIG, SourceConfig) and callable(module.pull)
    assert source_type in str(module.CONFIG.model_fields["type"].annotation)


def test_a_file_export_needs_no_type_and_each_type_its_own_fields():
    spec = registry.parse({"path": "exports/tickets.csv", "source": "desk"})
    assert spec.type == "file" and spec.origin() == "exports/tickets.csv"
    zendesk = registry.parse({"type": "zendesk", "base_url": "https://shop.zendesk.com", "email": "cs@shop.jp"})
    assert zendesk.origin() == "zendesk (https://shop.zendesk.com)"
    with pytest.raises(ValidationError, match="email"):
        registry.parse({"type": "zendesk", "base_url": "https://shop.zendesk.com"})


def test_unknown_types_and_misspelt_keys_fail():
    with pytest.raises(ValueError, match="unknown source type 'zendsk'; choose one of: eml, file, imap"):
        registry.parse({"type": "zendsk", "source": "x"})
    with pytest.raises(ValidationError, match="pasword_env"):
        registry.parse({"type": "imap", "source": "m", "host": "h", "user": "u", "pasword_env": "X"})
