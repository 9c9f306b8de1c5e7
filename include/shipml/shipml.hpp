#pragma once
// Everything a shipml user needs, in one include.
#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/data/split.hpp"
#include "shipml/estimators/estimator.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/model/model_spec.hpp"
#include "shipml/model/scoring.hpp"
#include "shipml/preprocess/pipeline.hpp"
