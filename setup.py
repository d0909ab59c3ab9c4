"""The compiled parts: the batch keyed hash of the register and list imports
(zizhu/registers/_keyed.c) and the batch sealing of personal values (zizhu/lib/_seal.c), see
docs/adr/0020-monthly-run-plan.md. Optional: without a C compiler or OpenSSL's headers the
build goes on and the imports hash and seal in Python (same values, slower). Everything else
about the package is in pyproject.toml."""

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
        ),
        Extension(
            "zizhu.lib._seal",
            ["zizhu/lib/_seal.c"],
            libraries=["crypto"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
    ]
)
