"""Every name the server offers (/spec.js) that the page must compute or write out has its code in the page: each
input feature its formula, each element-wise activation its curve and slope, each optimizer its update rule, each
loss its words in the exported scripts, and each choice of the gradient-descent lab its menu text. A name added on
the server without that code fails here, in the browser that would run it."""

COVERAGE = """async () => {
  const { SPEC } = await import('/spec.js');
  const features = await import('/static/js/playground/feature_maps.js');
  const curves = await import('/static/js/playground/activation_plot.js');
  const rules = await import('/static/js/playground/update_rule.js');
  const framework = await import('/static/js/playground/export_framework.js');
  const python = await import('/static/js/playground/export_python.js');
  const lacking = (names, table) => names.filter((name) => !(name in table));
  const featureNames = Object.keys(SPEC.choices.features);
  const activations = SPEC.choices.activations;
  // softmax is not element-wise: the page plots no curve for it
  const elementWise = [...new Set([...activations.hidden, ...activations.perceptron, ...activations.output])]
    .filter((name) => name !== 'softmax');
  const losses = [...new Set(Object.values(SPEC.choices.losses).flatMap(Object.keys))];
  return {
    featureFormulas: lacking(featureNames, features.FORMULAS),
    featureWords: lacking(featureNames, features.EXPLAIN),
    featureNumPy: python.featureBody(featureNames, 'points').join('\\n').includes('undefined') ? featureNames : [],
    activationCurves: lacking(elementWise, curves.CURVES),
    activationSlopes: lacking(elementWise, curves.SLOPE_TEXT),
    updateRules: lacking(SPEC.choices.optimizers, rules.RULES),
    exportedRules: lacking(SPEC.choices.optimizers, framework.OPTIMIZER_RULES),
    exportedLosses: lacking(losses, framework.LOSS_TEXT),
    counts: [featureNames.length, elementWise.length, SPEC.choices.optimizers.length, losses.length],
  };
}"""


def test_every_server_name_has_its_code_in_the_page(page):
    page.goto(f"{page.origin}/lessons")         # a page that runs none of these modules: they are only read
    found = page.js(COVERAGE)
    counts = found.pop("counts")
    assert all(counts), counts                  # the server named some of each
    assert found == {key: [] for key in found}, found


def test_the_gradient_descent_lab_words_every_choice_the_server_offers(page):
    page.goto(f"{page.origin}/gradient-descent")
    page.wait_for("document.querySelectorAll('#gd-optimizer option').length > 0")
    lab = page.js("import('/spec.js').then(({ SPEC }) => SPEC.labs.one_weight)")
    menus = page.js("""() => Object.fromEntries(['gd-loss', 'gd-optimizer'].map((id) => [id,
        [...document.getElementById(id).options].map((o) => [o.value, o.textContent])]))""")
    assert [value for value, _ in menus["gd-loss"]] == lab["losses"]
    assert [value for value, _ in menus["gd-optimizer"]] == lab["optimizers"]
    assert all(text and text != "undefined" for menu in menus.values() for _, text in menu), menus
    # the momentum the lab says it keeps is the engine's
    momentum = page.js("import('/spec.js').then(({ SPEC }) => SPEC.defaults.momentum)")
    assert f"keeps {momentum:g} of the last step" in dict(menus["gd-optimizer"])["momentum"]
