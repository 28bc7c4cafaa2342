"""Province API routes, mounted under /api/v1/ on the public host."""

urlpatterns: list = []
