"""The tkv lookup file finds every key it was built with (also past collisions and the
wrap-around at the end of the slot table), answers None for any other key, and refuses
duplicate, unequal-length or truncated input; every engine checks each record it reads against
the checksum stored beside it."""
import pyarrow as pa
import pytest

from tailor.serving.store import ENGINES, CorruptRecord, TkvReader, write_tkv


def test_every_key_found_and_others_missing(tmp_path):
    keys = [f"{i:020x}".encode() for i in range(5000)]
    values = [b"v" * (i % 50) + str(i).encode() for i in range(5000)]
    path = tmp_path / "lookup.tkv"
    write_tkv(path, pa.chunked_array([pa.array(keys[:2000]), pa.array(keys[2000:])],
                                     pa.binary()), pa.array(values, pa.binary()))
    reader = TkvReader(path)
    try:
        assert reader.count() == 5000
        assert all(reader.get(k) == v for k, v in zip(keys, values))
        assert all(reader.get(f"{i:020x}".encode()) is None for i in range(5000, 7000))
        assert reader.get(b"short") is None
    finally:
        reader.close()


def test_tiny_table_wraps_around(tmp_path):
    # 8 keys in 16 slots: some probe sequences run past the last slot
    keys = [f"k{i:03d}".encode() for i in range(8)]
    write_tkv(tmp_path / "t.tkv", keys, [k[::-1] for k in keys])
    reader = TkvReader(tmp_path / "t.tkv")
    assert [reader.get(k) for k in keys] == [k[::-1] for k in keys]
    reader.close()


@pytest.mark.parametrize("keys,values,match", [
    ([b"aa", b"aa"], [b"1", b"2"], "duplicate"), ([b"aa", b"bbb"], [b"1", b"2"], "same"),
    ([b"aa"], [b"1", b"2"], "values")])
def test_bad_input_refused(tmp_path, keys, values, match):
    with pytest.raises(ValueError, match=match):
        write_tkv(tmp_path / "x.tkv", keys, values)


def test_truncated_file_refused(tmp_path):
    write_tkv(tmp_path / "x.tkv", [b"aa", b"bb"], [b"1", b"2"])
    data = (tmp_path / "x.tkv").read_bytes()
    (tmp_path / "x.tkv").write_bytes(data[:-1])
    with pytest.raises(ValueError, match="truncated"):
        TkvReader(tmp_path / "x.tkv")


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_flipped_record_byte_is_detected_on_read(tmp_path, name):
    keys = [f"k{i:03d}".encode() for i in range(50)]
    values = [f"<record {i:03d}>".encode() * 4 for i in range(50)]
    file_name, write, reader_class = ENGINES[name]
    path = tmp_path / file_name
    write(path, keys, values)
    data = bytearray(path.read_bytes())
    data[data.find(values[7]) + 5] ^= 0x01
    path.write_bytes(bytes(data))
    reader = reader_class(path)
    try:
        with pytest.raises(CorruptRecord, match="checksum"):
            reader.get(keys[7])
        assert reader.get(keys[8]) == values[8]  # the other records still serve
    finally:
        reader.close()
