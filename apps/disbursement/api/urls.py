"""API routes of this app, mounted under /api/v1/ on bureau hosts."""

from rest_framework.routers import SimpleRouter

from .views import OverpaymentViewSet, PaymentRunViewSet, PaymentViewSet, RecoveryViewSet

router = SimpleRouter()
router.register("payment-runs", PaymentRunViewSet, basename="payment-run")
router.register("payments", PaymentViewSet, basename="payment")
router.register("recoveries", RecoveryViewSet, basename="recovery")
router.register("overpayments", OverpaymentViewSet, basename="overpayment")

urlpatterns = router.urls
