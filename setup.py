"""The compiled parts: the batch keyed hash of the register and list imports
(zizhu/registers/_keyed.c), the batch sealing of personal values (zizhu/lib/_seal.c) and two
searches of the XLSX upload check (zizhu/lib/uploads/_scan.c), see
docs/adr/0020-monthly-run-plan.md. Optional: without a C compiler or OpenSSL's headers the
build goes on and the imports hash, seal and search in Python (same results, slower).
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
        ),
        Extension(
            "zizhu.lib._seal",
            ["zizhu/lib/_seal.c"],
            libraries=["crypto"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
        Extension(
            "zizhu.lib.uploads._scan",
            ["zizhu/lib/uploads/_scan.c"],
            extra_compile_args=["-O2"],
            optional=True,
        ),
    ]
)
