"""The HTML pages (each a template over templates/base.html) and /spec.js, the page's facts (protocol.spec)."""
from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from ... import resource

# Every HTML page: its path, its template and its name in the navigation bar (templates/base.html).
PAGES: dict[str, tuple[str, str]] = {
    "/": ("index.html", "Playground"),
    "/race": ("race.html", "Optimizer race"),
    "/gradient-descent": ("gradient_descent.html", "Gradient descent"),
    "/perceptron": ("perceptron.html", "Perceptron"),
    "/lessons": ("lessons.html", "Lessons"),
}
NO_STORE = {"Cache-Control": "no-store"}
templates = Jinja2Templates(directory=str(resource("templates")))
router = APIRouter(include_in_schema=False)


def page(template: str):
    async def render(request: Request):
        return templates.TemplateResponse(request, template, {
            "pages": PAGES, "path": request.url.path,
            # the guard let this page through, so its reader has the token: the page keeps it in its links
            "join_token": request.app.state.settings.join_token}, headers=NO_STORE)
    return render


for path, (template, _title) in PAGES.items():
    router.add_api_route(path, page(template), methods=["GET"])


@router.get("/spec.js")
async def spec_module(request: Request):
    """``export const SPEC = {…};``: this server's facts for the page (protocol.spec_script)."""
    return Response(request.app.state.spec_js, media_type="text/javascript; charset=utf-8", headers=NO_STORE)
