"""The one compiled part: the batch keyed hash of the register and list imports
(zizhu/registers/_keyed.c, docs/adr/0020-monthly-run-plan.md). Optional: without a C compiler
or OpenSSL's headers the build goes on and the imports hash in Python (same values, slower).
Everything else about the package is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "zizhu.registers._keyed",
            ["zizhu/registers/_keyed.c"],
            libraries=["crypto"],
            # SHA256_Init & co. are deprecated in OpenSSL 3 but kept; EVP would allocate per call
            extra_compile_args=["-O2", "-Wno-deprecated-declarations"],
            optional=True,
        )
    ]
)
