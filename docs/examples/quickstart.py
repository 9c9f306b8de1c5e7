import pandas as pd
import shipml

churn = pd.read_csv("data/churn.csv")
print(shipml.score("hist_gbdt", churn, target="churn", cv=5))  # metrics per fold, mean and std; recorded as a run
model = shipml.Model("hist_gbdt").fit(churn, target="churn")    # recorded as a "train" run, as `shipml train` is
model.save("churn.shipml")                                      # the file `shipml serve churn.shipml` answers with
print(model.predict_proba(churn.head(3)))                       # columns in the order of model.classes
print(shipml.load("churn.shipml").predict(churn.head(3)))       # labels as trained on: ['no' 'no' 'no']
