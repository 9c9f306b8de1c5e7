#!/usr/bin/env bash
# Installs the Debian packages the quality battery needs beyond the project's own
# (scripts/install-deps.sh): R and the R data packages its data sets come from,
# and the Python peers. A no-op when everything is present. Run as root (or sudo).
set -euo pipefail
packages=(
  r-base-core            # Rscript, to export the R data sets (bench/quality/export.R)
  r-cran-mlbench         # Shuttle, BostonHousing2, Soybean, Glass, Sonar, DNA, PimaIndiansDiabetes2, Ozone
  r-cran-modeldata       # pd_speech, ad_data, lending_club, attrition, meats, Sacramento, check_times
  r-cran-aer             # CPS1988, NMES1988
  r-cran-dslabs          # gapminder
  r-cran-hsaur3          # Forbes2000
  r-cran-cardata         # TitanicSurvival
  r-cran-mass            # birthwt
  python3-sklearn python3-xgboost python3-pandas  # the peers, for /usr/bin/python3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "quality: installing ${missing[*]}" >&2
sudo=()
if ((EUID != 0)); then sudo=(sudo); fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
