"""The users of bench/load.py: the plan (users, pages) comes in ZIZHU_LOAD_PLAN as JSON."""

import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(os.environ.get("ZIZHU_LOAD_PLAN", "{}"))


class Operator(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        school = random.random() < 0.6  # most users of a deadline day are schools
        self.pages = PLAN["school_pages" if school else "authority_pages"]
        username = random.choice(PLAN["schools" if school else "authorities"])
        page = self.client.get("/accounts/login/", name="login (form)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/accounts/login/",
            {
                "username": username,
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login (POST)",
        )

    @task
    def browse(self):
        name, path = random.choice(list(self.pages.items()))
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"{response.status_code} {response.url}")
