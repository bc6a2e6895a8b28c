"""The connection banner: a dropped socket is announced, the page reconnects by itself and resumes its session."""
import re


def test_a_dropped_connection_is_announced_and_the_session_resumes(page):
    routes = []

    def through(ws):
        ws.connect_to_server()
        routes.append(ws)

    page.route_web_socket(re.compile(r"/ws(\?|$)"), through)
    page.open("?dataset=moons&seed=3")
    page.play()
    page.wait_for("window.nnp.latest.frame.counters.epoch > 10")
    session = page.js("window.nnp.latest.welcome.session")
    routes[-1].close(code=4000, reason="test: the network went away")
    page.wait_for("!document.querySelector('#connection-banner').hidden && "
                  "document.querySelector('#connection-banner').textContent.includes('lost')")
    # it comes back without a click, to the same session, still training
    page.wait_for("window.nnp.latest.connection === 'open' && window.nnp.latest.welcome.resumed === true", timeout=15)
    assert page.js("window.nnp.latest.welcome.session") == session
    assert len(routes) == 2 and "resume=" in routes[-1].url
    page.wait_for("document.querySelector('#connection-banner').textContent.includes('Reconnected')")
    epoch = page.js("window.nnp.latest.frame.counters.epoch")
    page.wait_for(f"window.nnp.latest.frame.counters.epoch > {epoch + 5}")
    assert page.config()["dataset"] == "moons" and page.config()["seed"] == 3
    page.wait_for("document.querySelector('#connection-banner').hidden", timeout=10)
    page.pause()


def test_a_reload_resumes_the_same_session(page):
    page.open("?dataset=gauss")
    page.click("#step")
    page.click("#step")
    page.wait_for("window.nnp.latest.frame.counters.epoch === 2")
    session = page.js("window.nnp.latest.welcome.session")
    page.reload()
    page.wait_ready()
    assert page.js("window.nnp.latest.welcome.resumed") is True
    assert page.js("window.nnp.latest.welcome.session") == session
    assert page.js("window.nnp.latest.frame.counters.epoch") == 2
    assert page.js("window.nnp.latest.history.length") >= 2
