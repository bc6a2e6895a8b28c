"""A CSV file must leave the network an input that carries something: chosen input columns that hold one value in
every row used are refused with a message naming them; one constant column beside a varying one is fine."""
import pytest

from nnplayground.engine import Trainer
from nnplayground.engine.datasets import DataError, parse_csv


@pytest.mark.parametrize("text,features,named", [
    ("a,label\n1,0\n1,1\n1,0\n1,1\n", None, "the input column 'a' holds"),
    ("a,b,label\n2,7,x\n2,7,y\n2,7,x\n", None, "the input columns 'a', 'b' hold"),
    ("a,b,label\n2,1,x\n2,5,y\n2,3,x\n", ["a"], "the input column 'a' holds"),
    # the rows left out do not count: only kept rows vary the column
    ("a,label\n1,0\n1,1\nnope,0\n1,1\n", None, "the input column 'a' holds"),
])
def test_inputs_that_never_vary_are_refused(text, features, named):
    with pytest.raises(DataError) as refused:
        parse_csv(text, "label", features, "binary")
    message = str(refused.value)
    assert named in message and "same value in every row used" in message and "no input to learn from" in message


def test_a_constant_column_beside_a_varying_one_loads_and_trains():
    data = parse_csv("a,b,label\n2,1,x\n2,5,y\n2,3,x\n2,4,y\n", "label", None, "binary")
    assert data.columns == ("a", "b") and data.points.shape == (4, 2)
    trainer = Trainer(dataset="points")
    trainer.configure(task="binary")
    trainer.load_csv("a,b,label\n2,1,x\n2,5,y\n2,3,x\n2,4,y\n", "label")
    assert trainer.train(2).epoch == 2
