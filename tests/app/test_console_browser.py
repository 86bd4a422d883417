"""End to end in Debian's headless Chromium (Selenium, chromium-driver): sign in with the token,
open a cluster, rename a field by keyboard, see the new name in the next ``/v1/extract``, run a
learning run and see the correction kept: on the service tests' fixture corpus, with a screenshot
of each page, and on the first sender of ``../shared/corpus`` (our sample corpus when it is absent).

Screenshots go to the test's temporary folder, and to ``$MAILSTENCIL_TEST_SCREENSHOTS`` when set
(``MAILSTENCIL_TEST_SCREENSHOTS=docs/img`` rewrites the ones the docs show). Skips only when
``/usr/bin/chromium`` or ``/usr/bin/chromedriver`` is absent (``scripts/ensure-chromium.sh``,
run by ``scripts/test.sh``, installs both).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from console_helpers import learn_mail
from svc_helpers import ADMIN, AUTH, RFC822, serve

from mailstencil.rules.corrections import slot_key
from mailstencil.rules.model import ClusterRules, RuleSet
from mailstencil.rules.stores import open_store
from mailstencil.rules.vocabulary import FIELDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1366,900",
]

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no /usr/bin/chromium + /usr/bin/chromedriver (run scripts/ensure-chromium.sh)",
)


def _wait(browser: Any, by: str, value: str) -> Any:
    """The element once the answer to a sent form has loaded (a click or an Enter does not wait for
    the next page: on a loaded machine the lookup came first and found nothing)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(browser, 60).until(expected_conditions.presence_of_element_located((by, value)))


def _sign_in(browser: Any, base: str) -> None:
    """Open the clusters page without a session, land on the sign-in form, sign in by keyboard."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{base}/admin/clusters")
    assert "/admin/login" in browser.current_url  # no session: the sign-in page
    token = browser.find_element(By.ID, "token")
    token.send_keys(ADMIN)
    token.send_keys(Keys.ENTER)
    assert _wait(browser, By.TAG_NAME, "h1").text == "Clusters"
    assert browser.current_url.endswith("/admin/clusters")


def _rename(browser: Any, slot: str, field: str) -> str:
    """Rename a slot on the open cluster page by keyboard; the answer page's note."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = browser.find_element(By.ID, f"rename-{slot}")
    box.send_keys(field)
    box.send_keys(Keys.ENTER)
    return str(_wait(browser, By.CLASS_NAME, "note").text)


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium with a fresh profile, driven by Debian's chromedriver (no download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="mailstencil-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_sign_in_rename_a_field_and_keep_it_through_a_learning_run(
    browser: Any, store_url: str, corpus: dict[str, bytes], ruleset: RuleSet, tmp_path: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    shots = tmp_path / "screenshots"
    shots.mkdir()

    def shot(name: str) -> None:
        browser.save_screenshot(str(shots / f"console-{name}.png"))

    cluster = next(c for c in ruleset.clusters if c.sender == "orders@northwind.example" and c.rules)
    rule = next(r for r in cluster.rules if r.field == "order_number")
    slot = slot_key(cluster, rule)
    message = corpus["order/0003.eml"]
    with serve(store_url, {"MAILSTENCIL_RELOAD_INTERVAL": "0.05"}) as srv:
        before = httpx.post(f"{srv.base}/v1/extract", content=message, headers=RFC822).json()
        number = before["fields"]["order_number"][0]

        browser.get(f"{srv.base}/admin/login")
        shot("sign-in")
        _sign_in(browser, srv.base)
        shot("clusters")
        # by keyboard: the first tab stop skips to the content, which takes the focus
        ActionChains(browser).send_keys(Keys.TAB).perform()
        assert browser.switch_to.active_element.text == "Skip to content"
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        assert browser.switch_to.active_element.get_attribute("id") == "main"

        browser.find_element(By.LINK_TEXT, "orders@northwind.example").click()
        assert browser.find_element(By.TAG_NAME, "h1").text == "orders@northwind.example"
        page = browser.page_source
        assert number not in page and number.lstrip("#") not in page  # the example is masked
        # the skeleton as the mail looks: its tables, its slots named
        assert browser.find_elements(By.CSS_SELECTOR, "#skeleton table td")
        named = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#skeleton mark.slot a")]
        assert "order_number" in named
        # the further line-item rows are marked with their fields too, once in the tab order
        repeats = browser.find_elements(By.CSS_SELECTOR, "#skeleton mark.slot.repeat")
        assert repeats and {m.text.split()[0] for m in repeats} == {
            "item_name",
            "item_quantity",
            "item_price",
        }
        assert all(
            a.get_attribute("tabindex") == "-1" for m in repeats for a in m.find_elements(By.TAG_NAME, "a")
        )
        shot("cluster")

        note = _rename(browser, slot, "reservation_number")
        assert "reservation_number" in note and "version 2" in note
        renamed = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#skeleton mark.slot a")]
        assert "reservation_number" in renamed
        browser.execute_script("document.getElementById('rules').scrollIntoView();")
        shot("cluster-corrected")

        after = httpx.post(f"{srv.base}/v1/extract", content=message, headers=RFC822).json()
        assert after["version"] == 2 and after["fields"]["reservation_number"] == [number]

        learn_mail(corpus, tmp_path / "mail", store_url)  # the nightly run
        httpx.post(f"{srv.base}/v1/admin/reload", headers=AUTH)
        kept = httpx.post(f"{srv.base}/v1/extract", content=message, headers=RFC822).json()
        assert kept["version"] == 3 and kept["fields"]["reservation_number"] == [number]

        browser.get(f"{srv.base}/admin/history?a=1&b=3")
        assert "Rules renamed: 1" in browser.find_element(By.ID, "diff").text
        shot("history")

        browser.get(f"{srv.base}/admin/test")
        browser.execute_script(
            "document.getElementById('raw').value = arguments[0];", message.decode("utf-8", "replace")
        )
        browser.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
        result = _wait(browser, By.ID, "result").text
        assert "reservation_number" in result and cluster.cluster in result
        shot("test-message")
        mail = browser.find_element(By.ID, "mail")
        assert browser.find_elements(By.CSS_SELECTOR, "#mail mark.slot")  # values highlighted
        browser.execute_script("arguments[0].scrollIntoView();", mail)
        shot("test-message-mail")

    out = os.environ.get("MAILSTENCIL_TEST_SCREENSHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        for png in shots.iterdir():
            shutil.copy(png, Path(out) / png.name)
    assert len(list(shots.iterdir())) == 7


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _first_sender_folder(tmp_path: Path) -> Path:
    """The first sender's messages of ../shared/corpus, or of our sample corpus when it is absent."""
    root = CORPUS
    if not (root / "fields.json").exists():
        from mailstencil.offline.samplegen import generate

        root = generate(tmp_path / "sample", messages_per_template=12, seed=3)
    return sorted(root.glob("*/messages/*"))[0]


def _a_renamable_field(base: str, store_url: str, mail: list[Path]) -> tuple[Path, ClusterRules, str, str]:
    """The first message (in path order) with a field that one rule alone of its cluster reads:
    (message, cluster, slot key, field)."""
    store = open_store(store_url)
    try:
        clusters = {c.cluster: c for c in store.load().clusters}
    finally:
        store.close()
    for path in mail:
        got = httpx.post(f"{base}/v1/extract", content=path.read_bytes(), headers=RFC822).json()
        c = clusters.get(got.get("cluster") or "")
        for name in sorted(got.get("fields", {})) if c else ():
            rules = [r for r in c.rules if r.field == name]
            if len(rules) == 1:
                return path, c, slot_key(c, rules[0]), name
    raise AssertionError("no message with a field one rule alone reads")


def test_a_cluster_learned_from_the_corpus_is_corrected_in_the_browser(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    folder = _first_sender_folder(tmp_path)
    mail = sorted(folder.rglob("*.eml"))
    url = f"sqlite:///{tmp_path / 'rules.db'}"
    learn_mail({}, folder, url)
    with serve(url, {"MAILSTENCIL_RELOAD_INTERVAL": "0.05"}) as srv:
        message, c, slot, field = _a_renamable_field(srv.base, url, mail)
        raw = message.read_bytes()
        value = httpx.post(f"{srv.base}/v1/extract", content=raw, headers=RFC822).json()["fields"][field]
        used = {r.field for r in c.rules}
        new = next(f for f in sorted(FIELDS) if f not in used)

        _sign_in(browser, srv.base)
        link = next(
            a
            for a in browser.find_elements(By.CSS_SELECTOR, "#clusters a")
            if parse_qs(urlparse(a.get_attribute("href")).query)["key"] == [c.cluster]
        )
        link.send_keys(Keys.ENTER)  # by keyboard
        assert _wait(browser, By.TAG_NAME, "h1").text == c.sender
        page = browser.page_source
        assert all(v not in page for v in value if len(v) >= 4)  # the example is masked
        note = _rename(browser, slot, new)
        assert new in note and "version 2" in note
        assert new in [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#rules code")]

        after = httpx.post(f"{srv.base}/v1/extract", content=raw, headers=RFC822).json()
        assert after["version"] == 2 and after["fields"][new] == value and field not in after["fields"]
        learn_mail({}, folder, url)  # the nightly run
        httpx.post(f"{srv.base}/v1/admin/reload", headers=AUTH)
        kept = httpx.post(f"{srv.base}/v1/extract", content=raw, headers=RFC822).json()
        assert kept["version"] == 3 and kept["fields"][new] == value
