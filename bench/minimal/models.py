from django.db import models


class Signature(models.Model):
    action = models.CharField(max_length=100)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    country = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=12, blank=True)
    opt_in = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "email"], name="minimal_one_per_email")]

    def __str__(self):
        return self.email


class OutboxEmail(models.Model):
    key = models.CharField(max_length=255, unique=True)
    to_email = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key
