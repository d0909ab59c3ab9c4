"""How big a synthetic world is (docs/domain.md, scale): schools per stage and persons per
population."""

from dataclasses import dataclass

# population → the stage whose schools it studies at
POPULATION_STAGES = {
    "vocational": "vocational",  # 中职 students of the checked term
    "vocational_3y": "vocational",  # 中职 students three school years earlier
    "senior_high": "senior_high",
    "graduates": "senior_high",  # last summer's senior-high graduates
    "compulsory": "compulsory",
    "higher": "higher",  # aided students of higher education
    "technical": "technical",  # technical-school (技工院校) students
}
STAGES = ("vocational", "senior_high", "compulsory", "higher", "technical")


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: tuple[str, ...]  # empty: every mainland province
    schools: dict[str, int]  # stage → schools, in all provinces together
    persons: dict[str, int]  # population → persons, in all provinces together
    plants: int  # planted persons per scenario (cases and decoys)
    chunk_rows: int  # population rows per written part

    def divided(self, name: str, divisor: int, provinces: tuple[str, ...], plants: int) -> "Scale":
        return Scale(
            name=name,
            provinces=provinces,
            schools={k: max(2, round(v / divisor)) for k, v in self.schools.items()},
            persons={k: max(10, round(v / divisor)) for k, v in self.persons.items()},
            plants=plants,
            chunk_rows=self.chunk_rows,
        )


DEMO_PROVINCE = "610000"

NATIONAL = Scale(
    name="national",
    provinces=(),
    schools={
        "vocational": 7_085,
        "senior_high": 15_400,
        "compulsory": 200_000,
        "higher": 3_000,
        "technical": 2_551,
    },
    persons={
        "vocational": 13_000_000,
        "vocational_3y": 13_000_000,
        "senior_high": 28_000_000,
        "graduates": 9_000_000,
        "compulsory": 160_000_000,
        "higher": 12_000_000,
        "technical": 4_450_000,
    },
    plants=40,
    chunk_rows=2_000_000,
)

SCALES = {
    "national": NATIONAL,
    # about one province's worth: the 31 mainland provinces share the national numbers
    "province": NATIONAL.divided("province", 31, (DEMO_PROVINCE,), plants=12),
    "demo": Scale(
        name="demo",
        provinces=(DEMO_PROVINCE,),
        schools={"vocational": 12, "senior_high": 8, "compulsory": 16, "higher": 4, "technical": 3},
        persons={
            "vocational": 3_000,
            "vocational_3y": 2_500,
            "senior_high": 2_400,
            "graduates": 700,
            "compulsory": 4_800,
            "higher": 1_200,
            "technical": 600,
        },
        plants=3,
        chunk_rows=2_000_000,
    ),
    # small enough for unit tests that read every row back
    "test": Scale(
        name="test",
        provinces=(DEMO_PROVINCE,),
        schools={"vocational": 5, "senior_high": 3, "compulsory": 4, "higher": 3, "technical": 2},
        persons={
            "vocational": 200,
            "vocational_3y": 150,
            "senior_high": 120,
            "graduates": 40,
            "compulsory": 160,
            "higher": 90,
            "technical": 60,
        },
        plants=3,
        chunk_rows=100,  # several parts per table, so chunking is exercised
    ),
}
