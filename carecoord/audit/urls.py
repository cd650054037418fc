from django.urls import path

from . import views

urlpatterns = [
    path("accounts/login/verify/", views.login_totp, name="login_totp"),
    path("accounts/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("audit/", views.audit_index, name="audit_index"),
    path("audit/members/<int:member_id>/", views.audit_member_access, name="audit_member_access"),
    path("audit/users/<int:user_id>/", views.audit_user_access, name="audit_user_access"),
    path("audit/break-glass/", views.break_glass_request, name="break_glass_request"),
]
