# Writes the battery's R data sets as CSV files (header row, no row names,
# missing values as empty fields), exactly as a user would export them with
# write.csv. Columns that would leak the target are dropped, and so are rows
# whose target is missing; both are listed in data/quality/README.md.
# Usage: Rscript bench/quality/export.R OUT_DIR [NAME...]   (no NAME: every set)
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript export.R OUT_DIR [NAME...]")
out <- args[[1]]
wanted <- args[-1]

# name = list(package, data set, target, columns to drop)
sets <- list(
  shuttle         = list("mlbench", "Shuttle", "Class", character()),
  boston_housing2 = list("mlbench", "BostonHousing2", "cmedv", "medv"),  # medv: the uncorrected target
  soybean         = list("mlbench", "Soybean", "Class", character()),
  glass           = list("mlbench", "Glass", "Type", character()),
  sonar           = list("mlbench", "Sonar", "Class", character()),
  dna             = list("mlbench", "DNA", "Class", character()),
  pima_missing    = list("mlbench", "PimaIndiansDiabetes2", "diabetes", character()),
  ozone           = list("mlbench", "Ozone", "V4", character()),
  pd_speech       = list("modeldata", "pd_speech", "class", character()),
  ad_data         = list("modeldata", "ad_data", "Class", character()),
  lending_club    = list("modeldata", "lending_club", "Class", character()),
  attrition       = list("modeldata", "attrition", "Attrition", character()),
  meats           = list("modeldata", "meats", "protein", c("water", "fat")),  # the other two targets
  sacramento      = list("modeldata", "Sacramento", "price", character()),
  check_times     = list("modeldata", "check_times", "check_time", "package"),  # package: a unique name
  gapminder       = list("dslabs", "gapminder", "life_expectancy", character()),
  cps1988         = list("AER", "CPS1988", "wage", character()),
  nmes1988        = list("AER", "NMES1988", "visits",  # the other counts are outcomes of the same survey
                         c("nvisits", "ovisits", "novisits", "emergency", "hospital")),
  forbes2000      = list("HSAUR3", "Forbes2000", "marketvalue", c("rank", "name")),  # rank uses market value
  titanic         = list("carData", "TitanicSurvival", "survived", character()),
  birthwt         = list("MASS", "birthwt", "low", "bwt")  # low is bwt < 2500 g
)
if (length(wanted) == 0) wanted <- names(sets)
unknown <- setdiff(wanted, names(sets))
if (length(unknown) > 0) stop("no R data set named ", paste(unknown, collapse = ", "))
dir.create(out, showWarnings = FALSE, recursive = TRUE)
for (name in wanted) {
  s <- sets[[name]]
  env <- new.env()
  data(list = s[[2]], package = s[[1]], envir = env)
  x <- as.data.frame(get(s[[2]], envir = env))
  x <- x[!is.na(x[[s[[3]]]]), setdiff(names(x), s[[4]]), drop = FALSE]
  # Ordered factors and factors keep their labels; everything else is written as is.
  for (col in names(x)) if (is.factor(x[[col]])) x[[col]] <- as.character(x[[col]])
  x <- x[, c(setdiff(names(x), s[[3]]), s[[3]]), drop = FALSE]  # target last
  path <- file.path(out, paste0(name, ".csv"))
  tmp <- paste0(path, ".tmp")
  write.csv(x, tmp, row.names = FALSE, na = "")
  file.rename(tmp, path)
  message(sprintf("exported %-16s %6d rows x %4d columns from %s %s::%s", name, nrow(x), ncol(x) - 1,
                  s[[1]], as.character(packageVersion(s[[1]])), s[[2]]))
}
