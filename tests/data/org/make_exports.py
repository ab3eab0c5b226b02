"""Write the small synthetic exports the import tests read (run once; the files are committed).

Acme: 40 people in four departments (Facilities has 3: below the privacy threshold), a
manager hierarchy, odd location words, engagement on a 1–5 survey scale, hire and leave dates,
a skills taxonomy with ESCO-style codes, requirements on a 1–4 scale, repeated assessments,
LMS completions and xAPI statements (with rows about people not in the export), and a
collaboration edge list with a self-loop and an outsider. minimal.csv has only the required
columns (every optional one absent).

    python tests/data/org/make_exports.py
"""

import csv
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
rng = random.Random(7)

people = [("E001", "Office of the CEO", "Executive", "", "5", "Office", "2015-03-01", "", "4", "40")]
heads = {"Engineering": "E002", "Sales": "E003", "Facilities": "E004"}
for d, h in heads.items():
    people.append((h, d, "Manager", "E001", "4", "Office", "2017-06-15", "", "4", "30"))
n = 5
leads = []
for d, size, role in (("Engineering", 22, "Engineer"), ("Sales", 10, "Account Executive")):
    lead = f"E{n:03d}"
    leads.append(lead)
    people.append((lead, d, "Manager", heads[d], "3", "Hybrid", "2019-01-07", "", "3", "24"))
    n += 1
    for i in range(size - 1):
        where = rng.choice(["Office", "Hybrid", "WFH"])
        left = "2026-06-30" if i % 7 == 3 else ""
        hours = "" if i % 5 == 0 else str(rng.randint(4, 60))
        people.append((f"E{n:03d}", d, role, lead, str(rng.randint(1, 3)), where,
                       f"20{rng.randint(16, 26)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", left,
                       str(rng.randint(1, 5)), hours))
        n += 1
for i in range(2):
    people.append((f"E{n:03d}", "Facilities", "Technician", "E004", "2", "Office", "2020-05-05", "", "3", "8"))
    n += 1
people.append((f"E{n:03d}", "Sales", "Account Executive", "X999", "2", "WFH", "2024-02-02", "", "2", "12"))  # manager left
with open(HERE / "hris.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Employee ID", "Full Name", "Dept", "Job Title", "Manager ID", "Grade", "Work Location", "Hire Date",
                "Termination Date", "eNPS (1-5)", "Training Hours", "Notes"])
    for p in people:
        w.writerow([p[0], f"Person {p[0]}", p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], "free text, never read"])

skills = [("S1", "Python programming", "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d", "no"),
          ("S2", "Negotiation", "http://data.europa.eu/esco/skill/3b9b6fda-8b1a-4dcd-8f2a-46f0b2c1a8c6", "yes"),
          ("S3", "People management", "", "yes"),
          ("S4", "Equipment maintenance", "", "no")]
with open(HERE / "skills.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["skill_id", "name", "esco_uri", "soft"])
    w.writerows(skills)
reqs = [("Engineer", "S1", 3, 1.0), ("Engineer", "S2", 1, 0.3), ("Account Executive", "S2", 4, 1.0),
        ("Manager", "S3", 3, 0.9), ("Manager", "S2", 2, 0.5), ("Executive", "S3", 4, 1.0),
        ("Technician", "S4", 3, 1.0), ("Intern", "S1", 1, 0.2), ("Engineer", "S9", 2, 0.5)]
with open(HERE / "requirements.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Role", "Skill", "Required (1-4)", "Weight"])
    w.writerows(reqs)
with open(HERE / "assessments.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["employee", "skill", "level", "date"])
    for p in people[5:30]:
        w.writerow([p[0], "S1" if p[1] == "Engineering" else "S2", rng.randint(0, 5), "2025-11-01"])
        w.writerow([p[0], "S1" if p[1] == "Engineering" else "S2", rng.randint(0, 5), "2026-10-01"])
    w.writerow(["E777", "S1", 3, "2026-01-01"])
    w.writerow(["E010", "S8", 3, "2026-01-01"])
with open(HERE / "lms.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["employee", "item", "hours", "date", "score", "skill"])
    for p in people[:36]:
        for j in range(rng.randint(0, 4)):
            w.writerow([p[0], f"course-{rng.randint(1, 6)}", rng.choice([1, 2, 4, 8]),
                        f"2026-{rng.randint(1, 11):02d}-0{rng.randint(1, 9)}", rng.randint(50, 100),
                        rng.choice(["S1", "S2", ""])])
    w.writerow(["E001", "course-old", 3, "2024-01-05", 80, ""])
    w.writerow(["E888", "course-1", 3, "2026-01-05", 80, "S1"])
with open(HERE / "statements.jsonl", "w") as f:
    for p in people[30:40]:
        f.write(json.dumps({
            "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.com", "name": p[0]}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
            "object": {"id": "https://lms.example.com/activities/safety-101", "objectType": "Activity"},
            "result": {"duration": "PT1H30M", "completion": True},
            "timestamp": "2026-09-14T10:00:00Z"}) + "\n")
    f.write(json.dumps({
        "actor": {"objectType": "Agent", "mbox": "mailto:E005"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://lms.example.com/activities/video-7"}, "timestamp": "2026-09-15T10:00:00Z"}) + "\n")
with open(HERE / "network.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["from", "to", "emails"])
    ids = [p[0] for p in people]
    for _ in range(120):
        a, b = rng.sample(ids, 2)
        w.writerow([a, b, rng.randint(1, 30)])
    w.writerow(["E005", "E005", 4])
    w.writerow(["E005", "C001", 9])
with open(HERE / "minimal.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "department", "role"])
    for i in range(30):
        w.writerow([f"m{i}", ["Ops", "Finance", "IT"][i % 3], ["analyst", "clerk", "engineer"][i % 4 % 3]])
print("wrote", ", ".join(sorted(p.name for p in HERE.iterdir() if p.suffix in (".csv", ".jsonl"))))
