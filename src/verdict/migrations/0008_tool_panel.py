from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('verdict', '0007_digest')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ToolPanel',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tool', fields.OneToOneField('verdict.Tool', source_field='tool_id', db_constraint=True, to_field='id', related_name='panel', on_delete=OnDelete.CASCADE)),
                ('ship', fields.IntField()),
                ('skip', fields.IntField()),
            ],
            options={'table': 'tool_panel', 'app': 'verdict', 'pk_attr': 'id', 'table_description': "A tool's published panel reviews by published reviewers: how many say ship, and skip."},
            bases=['Model'],
        ),
        # The figures of the content already synced (later changes are recounted by the sync).
        ops.RunSQL(
            "INSERT INTO tool_panel (tool_id, ship, skip) "
            "SELECT review.tool_id, "
            "SUM(CASE WHEN review.verdict = 'ship' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN review.verdict = 'ship' THEN 0 ELSE 1 END) "
            "FROM review JOIN reviewer ON reviewer.id = review.reviewer_id "
            "WHERE review.status = 'published' AND reviewer.status = 'published' "
            "GROUP BY review.tool_id",
            reverse_sql="DELETE FROM tool_panel",
        ),
    ]
