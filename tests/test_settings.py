"""The key store, masking, settings and precedence of URL and key sources."""

import os
import stat

import pytest

from recbrowser.apikey import InvalidKey, check_key
from recbrowser.keystore import KeyStore
from recbrowser.paths import Paths
from recbrowser.secret import Secret, mask
from recbrowser.settings import DEFAULT_API_URL, Settings, resolve

KEY = "mgp_" + "ab12" * 10


def test_paths_follow_xdg_variables(isolated_paths):
    paths = Paths.default()
    assert paths.config_dir == isolated_paths / "config" / "recbrowser"
    assert paths.data_dir == isolated_paths / "data" / "recbrowser"


def test_saved_key_is_0600_in_a_0700_directory(isolated_paths):
    store = KeyStore(Paths.default().key_file)
    store.save(KEY)
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.path.parent).st_mode) == 0o700
    assert store.load() == Secret(KEY)


def test_saving_replaces_atomically_and_leaves_no_temp_files(isolated_paths):
    store = KeyStore(Paths.default().key_file)
    store.save(KEY)
    store.save("mgp_" + "cd34" * 10)
    assert store.load().reveal() == "mgp_" + "cd34" * 10
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["api_key"]


def test_clear_removes_the_key(isolated_paths):
    store = KeyStore(Paths.default().key_file)
    assert store.clear() is False
    store.save(KEY)
    assert store.clear() is True
    assert store.load() is None


def test_secret_never_shows_itself():
    secret = Secret(KEY)
    for shown in (str(secret), repr(secret), f"{secret}", f"{secret}", str([secret])):
        assert KEY not in shown
        assert KEY[6:-2] not in shown
    assert mask(KEY) == "mgp_ab…12"
    assert mask("short") == "…"


@pytest.mark.parametrize(
    "text,warns",
    [
        (KEY, False),
        (f"  {KEY}\n", False),
        (f"Bearer {KEY}", False),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", False),
        ("sk_live_something", True),
    ],
)
def test_check_key_accepts_keys_and_tokens_and_warns_on_others(text, warns):
    key, warning = check_key(text)
    assert key == text.strip().removeprefix("Bearer ").strip()
    assert (warning is not None) is warns


@pytest.mark.parametrize("text", ["", "   ", "mgp_abc def", "mgp_abc\x1bdef", "mgp_clé"])
def test_check_key_rejects_unusable_text(text):
    with pytest.raises(InvalidKey):
        check_key(text)


def test_precedence_flag_beats_env_beats_settings(isolated_paths):
    paths = Paths.default()
    Settings(api_url="http://settings.example/v1").save(paths.settings_file)
    assert resolve(paths, env={}).api_url == "http://settings.example/v1"
    env = {"MAGPIPE_API_URL": "http://env.example/v1/", "MAGPIPE_API_KEY": "mgp_" + "0" * 40}
    got = resolve(paths, env=env)
    assert (got.api_url, got.api_url_source) == ("http://env.example/v1", "MAGPIPE_API_URL")
    got = resolve(paths, api_url_flag="http://flag.example/v1", env=env)
    assert (got.api_url, got.api_url_source) == ("http://flag.example/v1", "--api-url")


def test_default_url_and_env_key_wins_over_saved_key(isolated_paths):
    paths = Paths.default()
    KeyStore(paths.key_file).save(KEY)
    got = resolve(paths, env={})
    assert got.api_url == DEFAULT_API_URL
    assert (got.key, got.key_source) == (Secret(KEY), str(paths.key_file))
    env_key = "mgp_" + "f" * 40
    got = resolve(paths, env={"MAGPIPE_API_KEY": env_key})
    assert (got.key, got.key_source) == (Secret(env_key), "MAGPIPE_API_KEY")


def test_corrupt_settings_fall_back_to_defaults_with_a_warning(isolated_paths):
    paths = Paths.default()
    paths.settings_file.parent.mkdir(parents=True)
    paths.settings_file.write_text("{not json")
    settings = Settings.load(paths.settings_file)
    assert settings.api_url is None and settings.refresh_interval == 30.0
    assert settings.warnings


def test_playback_settings_default_to_in_app_without_playing_on_and_refuse_non_booleans(tmp_path):
    path = tmp_path / "settings.json"
    assert (Settings.load(path).in_app_playback, Settings.load(path).play_next) == (True, False)
    path.write_text('{"in_app_playback": false, "play_next": true}')
    loaded = Settings.load(path)
    assert (loaded.in_app_playback, loaded.play_next, loaded.warnings) == (False, True, [])
    path.write_text('{"in_app_playback": "no", "play_next": 1}')
    loaded = Settings.load(path)
    assert (loaded.in_app_playback, loaded.play_next) == (True, False)
    assert [w.split(" in ")[0] for w in loaded.warnings] == ["Ignoring in_app_playback", "Ignoring play_next"]
