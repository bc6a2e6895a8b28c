"""A server restart: while the server is down the page says it is reconnecting and the play button shows training
stopped; when a new server answers on the same port, the page says plainly that the network was reset and puts its
own settings back (the trained weights are lost)."""
import re

from conftest import ServerThread, Watched

SETUP = "?dataset=moons&seed=3&learning_rate=0.1&hidden=5,3&activation=relu&speed=2"


def test_a_restarted_server_gets_the_page_settings_back_and_the_page_says_what_was_lost(context):
    first = ServerThread()
    page = Watched(context.new_page(), first.url)
    # the browser logs the refused reconnection attempts while no server listens
    page.allowed_errors.append(re.compile(r"WebSocket connection to .* failed"))
    second = None
    try:
        page.open(SETUP)
        page.play()
        page.wait_for("window.nnp.latest.frame.counters.epoch > 20")
        assert page.js("document.querySelector('#play').getAttribute('aria-label')") == "Pause"
        first.stop()
        page.wait_for("!document.querySelector('#connection-banner').hidden && "
                      "document.querySelector('#connection-banner').textContent.includes('Reconnecting')")
        assert "connection to the server was lost" in page.inner_text("#connection-banner")
        page.wait_for("document.querySelector('#play').getAttribute('aria-label') === 'Play'")
        assert page.js("document.querySelector('#play').classList.contains('is-playing')") is False

        second = ServerThread(port=first.port)
        page.wait_for("window.nnp.latest.connection === 'open' && window.nnp.latest.welcome.resumed === false",
                      timeout=30)
        page.wait_ready()
        text = page.inner_text("#connection-banner")
        assert "The server restarted, so the network was reset" in text and "trained weights are lost" in text
        config = page.config()
        assert (config["dataset"], config["seed"], config["learning_rate"], config["hidden"], config["activation"]) \
            == ("moons", 3, 0.1, [5, 3], "relu")
        assert page.js("window.nnp.latest.frame.counters.epoch") == 0
        assert page.js("window.nnp.latest.frame.state") == "paused"
        assert page.js("document.querySelector('#play').getAttribute('aria-label')") == "Play"
        assert "dataset=moons" in page.url and "hidden=5,3" in page.url
        # it trains again from its settings, and the notice can be put away
        page.play()
        page.wait_for("window.nnp.latest.frame.counters.epoch > 5")
        page.click("#reset-dismiss")
        page.wait_for("document.querySelector('#connection-banner').hidden")
        page.pause()
        errors = [e for e in page.console_errors if not any(p.search(e) for p in page.allowed_errors)]
        assert not errors, errors
    finally:
        first.stop()
        if second is not None:
            second.stop()
