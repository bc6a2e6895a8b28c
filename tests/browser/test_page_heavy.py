"""A network too heavy for its share of the server: the page says in plain words that its maps are updated less
often (or coarser), and still draws them; a default network says nothing of the kind. (The heaviest network the
limits allow takes the page itself seconds to draw, so a lighter one that still needs its maps in pieces is used.)"""
import re

HEAVY = "?dataset=spiral&n_points=2000&hidden=128,128&batch_size=1&features=x1,x2,x1sq,x2sq,x1x2&grid_size=128&speed=0"


def test_a_heavy_network_says_its_maps_are_limited_and_still_draws_them(open_page):
    heavy = open_page().open(HEAVY)
    assert heavy.js("window.nnp.latest.config.hidden") == [128, 128]
    first = heavy.map_signature()
    heavy.play()
    heavy.wait_for("!document.querySelector('#heavy-note').hidden", timeout=60)
    assert re.fullmatch(r"Heavy: [0-9.]+ maps / s", heavy.inner_text("#heavy-note"))
    limited, title = heavy.js("[window.nnp.latest.frame.limited, document.querySelector('#heavy-note').title]")
    side = limited["grid_size"]
    assert f"output map at {side}×{side} points" in title and side <= 128
    assert "other pages keep their speed" in title
    # the maps at the sides the server chose are drawn, and training goes on
    heavy.wait_for("window.nnp.latest.maps.output && window.nnp.latest.frame.limited"
                   " && window.nnp.latest.maps.output.size === window.nnp.latest.frame.limited.grid_size", timeout=60)
    heavy.wait_for("window.nnp.latest.frame.counters.iteration > 200", timeout=60)
    assert heavy.map_distance(first, heavy.map_signature()) > 0, "the output map was not redrawn"
    heavy.pause()

    light = open_page().open("?speed=0")
    light.play()
    light.wait_frames(10)
    assert light.js("document.querySelector('#heavy-note').hidden")
    assert light.js("window.nnp.latest.frame.limited") is None
    light.pause()
