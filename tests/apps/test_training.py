"""The model cache key changes exactly when training inputs change."""

from pathlib import Path

from burnout_assistant.apps.training import inputs_hash, training_inputs


def _project(tmp_path: Path) -> Path:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    (tmp_path / "domain.yml").write_text("intents: [greet]\n")
    (tmp_path / "data" / "nlu" / "greet.yml").write_text("nlu: []\n")
    (tmp_path / "README.md").write_text("docs\n")
    return tmp_path


def test_hash_is_stable_and_ignores_unrelated_files(tmp_path: Path) -> None:
    root = _project(tmp_path)
    first = inputs_hash(root)
    (root / "README.md").write_text("other docs\n")
    assert inputs_hash(root) == first


def test_hash_changes_with_data_config_or_version(tmp_path: Path) -> None:
    root = _project(tmp_path)
    first = inputs_hash(root)
    (root / "data" / "nlu" / "greet.yml").write_text("nlu: [x]\n")
    second = inputs_hash(root)
    assert second != first
    (root / "config.yml").write_text("pipeline: [y]\n")
    assert inputs_hash(root) != second
    assert inputs_hash(root, extra="3.6.21") != inputs_hash(root, extra="3.6.20")


def test_inputs_include_every_data_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "data" / "rules").mkdir()
    (root / "data" / "rules" / "r.yml").write_text("rules: []\n")
    names = {p.name for p in training_inputs(root)}
    assert {"config.yml", "domain.yml", "greet.yml", "r.yml"} <= names
