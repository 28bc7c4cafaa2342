"""A bureau host's URLs plus a failing view, for the 500 tests (never mounted outside tests)."""

from civaffairs.urls_tenant import handler500
from civaffairs.urls_tenant import urlpatterns as project_urlpatterns
from tests.civaffairs.urls_failing import FAILING

urlpatterns = FAILING + project_urlpatterns
__all__ = ["handler500", "urlpatterns"]
