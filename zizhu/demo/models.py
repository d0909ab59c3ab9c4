from django.db import models


class DemoLoad(models.Model):
    """Records that (and with which seed) the demo was loaded, so start-up can print the
    demo accounts again."""

    seed = models.IntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo seed {self.seed}"
