"""Single sign-on through a fake OIDC provider (tests/security/fake_oidc.py)."""
