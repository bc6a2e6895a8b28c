"""Bad values in a link: each is named in plain words with what is allowed and what is used instead — never a raw
schema message, never dropped silently — and the good settings of the same link still apply."""


def notices(page) -> str:
    return " ".join(page.inner_text("#notices").split())


def test_bad_link_values_are_named_with_what_is_allowed_and_the_rest_applies(page):
    page.open("?dataset=foo&n_points=abc&learning_rate=500&activation=sigmoidish&hidden=4,x&show_test=maybe"
              "&seed=7&noise=0.2")
    page.wait_for("document.querySelector('#notices').textContent.includes('not all usable')")
    text = notices(page)
    assert "dataset 'foo' is not one of the binary data sets (circle, xor, gauss, spiral, moons); using Circle" in text
    assert "n_points 'abc' is not a whole number; using 500" in text
    assert "learning_rate 500 is outside 0 to 100; using 0.03" in text
    assert "activation 'sigmoidish' is not one of the activations" in text and "using Tanh" in text
    assert "hidden '4,x' is not a list of whole numbers above 0 like 4,2; using 4,2" in text
    assert "show_test 'maybe' is not 1 or 0; using 0" in text
    assert "Input should be" not in text
    config = page.config()
    assert (config["dataset"], config["learning_rate"], config["activation"], config["n_points"]) == \
        ("circle", 0.03, "tanh", 500)
    assert (config["seed"], config["noise"]) == (7, 0.2)            # the good values of the same link
    assert "dataset=circle" in page.url and "foo" not in page.url


def test_a_data_set_of_another_task_is_named_as_such(page):
    page.open("?task=binary&dataset=spiral3&loss=hinge&optimizer=adamw")
    page.wait_for("document.querySelector('#notices').textContent.includes('not all usable')")
    text = notices(page)
    assert "dataset 'spiral3' is a multiclass data set, and the task is binary; using Circle" in text
    assert "optimizer 'adamw' is not one of the optimizers (sgd, momentum, adagrad, rmsprop, adam); using Gradient descent" in text
    assert "loss" not in text.split("usable:")[1].split("optimizer")[0]      # hinge is a binary loss: accepted
    config = page.config()
    assert (config["dataset"], config["loss"], config["optimizer"]) == ("circle", "hinge", "sgd")


def test_a_good_link_says_nothing(page):
    page.open("?dataset=moons&seed=2&learning_rate=0.1")
    assert page.js("document.querySelectorAll('#notices .notice').length") == 0
